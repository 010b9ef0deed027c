"""Backend and precision choices: refused combinations name the value and what is allowed,
before any model is built."""
import re

import pytest

from hrnet_plugin.apis import init_pose_model
from hrnet_plugin.deploy import check_backend, openvino_bf16_missing, resolve_precision
from tests.models.tiny_topdown import W32_CONFIG


@pytest.mark.bad_input('an unknown backend, or a precision the backend lacks', 'refused')
@pytest.mark.parametrize('backend,precision,message', [
    ('tensorrt', 'fp32', "backend must be one of ['pytorch', 'onnxruntime', 'openvino'], "
                         "got 'tensorrt'"),
    ('pytorch', 'int8', "precision of backend 'pytorch' must be 'auto' or one of ['fp32', "
                        "'bf16', 'fp16'], got 'int8'; int8 (post-training quantization) needs "
                        "backend 'openvino' or 'onnxruntime'"),
    ('onnxruntime', 'bf16', "got 'bf16'; for bf16 use backend 'openvino' or 'pytorch'"),
    ('openvino', 'fp16', "precision of backend 'openvino' must be 'auto' or one of ['fp32', "
                         "'bf16', 'int8'], got 'fp16'"),
])
def test_refused_combinations(backend, precision, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_backend(backend, precision)


@pytest.mark.bad_input('a runtime backend on a GPU device', 'refused')
def test_runtime_backends_run_on_the_cpu():
    with pytest.raises(ValueError, match="backend 'openvino' runs on the CPU, got device 'cuda'"):
        check_backend('openvino', 'fp32', 'cuda')


@pytest.mark.bad_input('OpenVINO bf16 on a CPU without native bfloat16', 'refused')
def test_openvino_bf16_needs_native_bfloat16():
    missing = openvino_bf16_missing()
    if missing is None:
        assert resolve_precision('openvino', 'bf16') == 'bf16'
    else:
        assert 'without BF16' in missing
        with pytest.raises(ValueError, match="precision 'bf16' of backend 'openvino': this CPU "
                                             'has no native bfloat16'):
            resolve_precision('openvino', 'bf16')


@pytest.mark.bad_input('a runtime backend without a checkpoint file', 'refused')
def test_runtime_backend_needs_a_checkpoint():
    with pytest.raises(ValueError, match="backend 'onnxruntime' needs a checkpoint file"):
        init_pose_model(W32_CONFIG, backend='onnxruntime')
