"""Accuracy gates of the runtime backends and precisions, on a model trained at test time
(``trained_pose``): OpenVINO and onnxruntime in float32 compute our PyTorch heatmaps and
keypoints; int8 after NNCF post-training quantization keeps the COCO AP within 1 point; bf16
(only where the CPU has it natively) keeps keypoints within 0.5 px and AP within 0.5 point;
'auto' never picks emulated bf16."""
import copy
import logging
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmpose.registry import DATASETS

from hrnet_plugin.apis import init_pose_model
from hrnet_plugin.benchmark.accuracy import coco_ap
from hrnet_plugin.deploy import (
    RuntimePoseEstimator,
    cpu_has_native_bf16,
    heatmap_model,
    openvino_bf16_missing,
    relative_max_error,
    resolve_precision,
)
from tests.models.tiny_topdown import single_thread

from .trained_pose import CALIBRATION_CROPS

pytestmark = pytest.mark.usefixtures(single_thread.__name__)
RUNTIMES = ['onnxruntime', 'openvino']
# The gates of deployment (docs/deployment.md).
FP32_HEATMAP_TOLERANCE = 1e-4   # of the heatmap range
FP32_KEYPOINT_TOLERANCE = 0.01  # px
INT8_AP_LOSS = 0.01
BF16_AP_LOSS, BF16_MEDIAN_PX = 0.005, 0.5


class Reference:
    """Our PyTorch float32 model on the validation persons: its flip-test heatmaps, keypoints
    and AP."""

    def __init__(self, trained) -> None:
        self.model = init_pose_model(trained.config, trained.checkpoint)
        cfg = self.model.cfg
        with DefaultScope.overwrite_default_scope('mmpose'):
            val = DATASETS.build(dict(cfg.val_dataloader.dataset, test_mode=True))
            self.batch = pseudo_collate([val[i] for i in range(len(val))])
        with torch.no_grad():
            self.inputs = self.model.data_preprocessor(copy.deepcopy(self.batch))['inputs']
            self.heatmaps = heatmap_model(self.model, flip=True)(self.inputs)
        self.keypoints = self.predict(self.model)
        self.ap = coco_ap(self.model)

    def predict(self, model) -> np.ndarray:
        """(N, K, 2) keypoints of the validation persons, image pixels."""
        with torch.no_grad():
            samples = model.test_step(copy.deepcopy(self.batch))
        return np.concatenate([s.pred_instances.keypoints for s in samples])


@pytest.fixture(scope='module')
def reference(trained_pose) -> Reference:
    return Reference(trained_pose)


def test_the_reference_model_is_trained(reference):
    """The gates need peaked heatmaps: the trained model finds the persons' joints."""
    assert len(reference.keypoints) >= 50
    assert reference.ap >= 0.25
    peaks = reference.heatmaps.amax(dim=(2, 3))   # (N, K)
    assert float(peaks.median()) >= 0.5


@pytest.mark.parametrize('backend', RUNTIMES)
def test_fp32_equals_pytorch(trained_pose, reference, backend):
    model = init_pose_model(trained_pose.config, trained_pose.checkpoint, backend=backend)
    assert isinstance(model, RuntimePoseEstimator) and model.precision == 'fp32'
    with torch.no_grad():
        heatmaps = model(reference.inputs, mode='tensor')
    assert relative_max_error(heatmaps, reference.heatmaps) <= FP32_HEATMAP_TOLERANCE
    difference = np.linalg.norm(reference.predict(model) - reference.keypoints, axis=-1)
    assert difference.max() <= FP32_KEYPOINT_TOLERANCE


@pytest.mark.bad_input('a truncated OpenVINO weights file in the export cache', 'skipped')
def test_corrupt_cached_export_is_rebuilt(trained_pose, reference, caplog):
    first = init_pose_model(trained_pose.config, trained_pose.checkpoint, backend='openvino')
    weights = Path(first.export_dir) / 'model.bin'
    weights.write_bytes(weights.read_bytes()[:1000])
    with caplog.at_level(logging.WARNING, logger='hrnet_plugin.deploy'):
        model = init_pose_model(trained_pose.config, trained_pose.checkpoint, backend='openvino')
    assert model.export_dir == first.export_dir
    assert 'model.bin differs from its recorded sha256' in caplog.text
    with torch.no_grad():
        heatmaps = model(reference.inputs, mode='tensor')
    assert relative_max_error(heatmaps, reference.heatmaps) <= FP32_HEATMAP_TOLERANCE


@pytest.mark.parametrize('backend', RUNTIMES)
def test_int8_keeps_ap_within_one_point(trained_pose, reference, backend):
    model = init_pose_model(trained_pose.config, trained_pose.checkpoint, backend=backend,
                            precision='int8', calibration=trained_pose.train_dataset(),
                            calibration_size=CALIBRATION_CROPS)
    assert model.precision == 'int8'
    ap = coco_ap(model)
    print(f'{backend} int8: AP {ap:.4f}, fp32 {reference.ap:.4f}')
    assert ap >= reference.ap - INT8_AP_LOSS
    # Quantized, not the float32 graph again: the heatmaps moved.
    with torch.no_grad():
        assert relative_max_error(model(reference.inputs, mode='tensor'),
                                  reference.heatmaps) > FP32_HEATMAP_TOLERANCE


def _bf16_missing(backend: str):
    if backend == 'openvino':
        return openvino_bf16_missing()
    if not cpu_has_native_bf16():
        return ('this CPU has no native bfloat16: torch reports neither AVX512-BF16 nor AMX '
                '(oneDNN would emulate bf16, slower than fp32)')
    return None


@pytest.mark.parametrize('backend', ['pytorch', 'openvino'])
def test_bf16_gate(trained_pose, reference, backend):
    missing = _bf16_missing(backend)
    if missing:
        pytest.skip(f'bf16 gate of {backend} not run: {missing}')
    model = init_pose_model(trained_pose.config, trained_pose.checkpoint, backend=backend,
                            precision='bf16')
    difference = np.linalg.norm(reference.predict(model) - reference.keypoints, axis=-1)
    assert np.median(difference) <= BF16_MEDIAN_PX
    assert coco_ap(model) >= reference.ap - BF16_AP_LOSS


@pytest.mark.parametrize('backend', ['pytorch', 'onnxruntime', 'openvino'])
def test_auto_picks_native_bf16_or_fp32_and_says_so(backend, caplog):
    with caplog.at_level(logging.INFO, logger='hrnet_plugin.deploy'):
        chosen = resolve_precision(backend, 'auto')
    native = _bf16_missing(backend) is None and backend != 'onnxruntime'
    assert chosen == ('bf16' if native else 'fp32')
    assert f"precision 'auto' of backend {backend!r}: {chosen}" in caplog.text
