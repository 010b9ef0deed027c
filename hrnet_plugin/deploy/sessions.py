"""Runtime sessions of exported models: called like the PyTorch graph, tensor in, tensor out.

A session runs one call at a time (it holds one inference request); both runtimes release the
GIL while they compute, so other Python threads (image decoding, cropping) run meanwhile.
"""
from pathlib import Path
from typing import FrozenSet, Optional, Union

import numpy as np
import onnxruntime as ort
import openvino as ov
import torch
from torch import Tensor

# OpenVINO's names of the inference precisions of a compiled model.
OPENVINO_PRECISIONS = {'fp32': 'f32', 'bf16': 'bf16'}


def _existing(path: Union[str, Path], what: str) -> Path:
    if not Path(path).is_file():
        raise FileNotFoundError(f'{what} not found: {path}')
    return Path(path)


def _as_array(inputs: Tensor) -> np.ndarray:
    return np.ascontiguousarray(inputs.detach().cpu().numpy(), dtype=np.float32)


class OnnxRuntimeSession:
    """An exported model in onnxruntime on the CPU, one input and one output.

    Args:
        path: the .onnx file.
        num_threads: intra-op threads; default: torch's thread count, so that a comparison
            with PyTorch in the same process uses the same cores.
    """

    def __init__(self, path: Union[str, Path], num_threads: Optional[int] = None) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = num_threads or torch.get_num_threads()
        self.session = ort.InferenceSession(str(_existing(path, 'ONNX model')), options,
                                            providers=['CPUExecutionProvider'])
        self.input_name = self.session.get_inputs()[0].name

    def __call__(self, inputs: Tensor) -> Tensor:
        """(N, 3, H, W) float32 images -> the model's first output (heatmaps) as a tensor."""
        return torch.from_numpy(self.session.run(None, {self.input_name: _as_array(inputs)})[0])


def openvino_capabilities() -> FrozenSet[str]:
    """OpenVINO's ``OPTIMIZATION_CAPABILITIES`` of this CPU, e.g. {'FP32', 'INT8', 'BF16'}:
    'BF16' only where bfloat16 is native (AVX512-BF16 or AMX)."""
    return frozenset(ov.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES'))


class OpenVinoSession:
    """An OpenVINO model (IR .xml + .bin) compiled for the CPU, one input and one output.

    Args:
        path: the .xml file (its .bin beside it).
        precision: inference precision of the floating-point operations, 'fp32' or 'bf16'.
            Always set: on CPUs with native bfloat16 OpenVINO would otherwise pick bf16 by
            itself, also for the float32 parts of an int8 model.
        num_threads: inference threads; default: torch's thread count.
    """

    def __init__(self, path: Union[str, Path], precision: str = 'fp32',
                 num_threads: Optional[int] = None) -> None:
        if precision not in OPENVINO_PRECISIONS:
            raise ValueError(f'precision must be one of {sorted(OPENVINO_PRECISIONS)}, '
                             f'got {precision!r}')
        core = ov.Core()
        model = core.read_model(str(_existing(path, 'OpenVINO model')))
        self.compiled = core.compile_model(model, 'CPU', {
            'INFERENCE_PRECISION_HINT': OPENVINO_PRECISIONS[precision],
            'INFERENCE_NUM_THREADS': num_threads or torch.get_num_threads(),
            'PERFORMANCE_HINT': 'LATENCY'})
        self.request = self.compiled.create_infer_request()

    def __call__(self, inputs: Tensor) -> Tensor:
        """(N, 3, H, W) float32 images -> the model's first output (heatmaps) as a tensor."""
        # share_inputs: OpenVINO reads the array in place; outputs are copied out of the
        # request's buffer, which the next call overwrites.
        outputs = self.request.infer({0: _as_array(inputs)}, share_inputs=True)
        return torch.from_numpy(outputs[0])
