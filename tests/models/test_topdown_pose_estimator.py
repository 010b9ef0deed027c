"""hrnet_plugin.TopdownPoseEstimator: one-pass flip test equals mmpose's two-pass path, and the
channels_last / bfloat16 training options train like float32 NCHW."""
import copy

import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper

from hrnet_plugin.models.pose_estimators import TopdownPoseEstimator

from .tiny_topdown import (
    HEATMAP_SIZE,
    INPUT_SIZE,
    build_model,
    build_tiny,
    make_batch,
    single_thread,
    tiny_model_cfg,
)

pytestmark = pytest.mark.usefixtures(single_thread.__name__)

UDP_CODEC = dict(type='hrnet_plugin.UDPHeatmap', input_size=INPUT_SIZE,
                 heatmap_size=HEATMAP_SIZE, sigma=2)
FLIP_CASES = {
    'msra': dict(test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True,
                               output_heatmaps=True)),
    'udp': dict(codec=UDP_CODEC, test_cfg=dict(flip_test=True, flip_mode='heatmap',
                                               shift_heatmap=False, output_heatmaps=True)),
}


@pytest.mark.parametrize('case', sorted(FLIP_CASES))
def test_one_pass_flip_equals_mmpose_two_pass(case):
    ours = build_tiny(seed=1, **FLIP_CASES[case])
    assert isinstance(ours, TopdownPoseEstimator)
    ref = build_model(tiny_model_cfg(estimator='TopdownPoseEstimator', **FLIP_CASES[case]))
    ref.load_state_dict(ours.state_dict())
    ref.eval()
    batch = make_batch(5, seed=2)
    backbone_batches = []
    ours.backbone.register_forward_hook(
        lambda module, args, output: backbone_batches.append(len(args[0])))
    with torch.no_grad():
        got = ours.test_step(copy.deepcopy(batch))
        expected = ref.test_step(copy.deepcopy(batch))
    assert backbone_batches == [10]  # one pass over the 5 images and their mirror images
    got_maps = torch.stack([s.pred_fields.heatmaps for s in got])
    expected_maps = torch.stack([s.pred_fields.heatmaps for s in expected])
    span = float(expected_maps.max() - expected_maps.min())
    assert span > 0
    assert float((got_maps - expected_maps).abs().max()) <= 1e-5 * span
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a.pred_instances.keypoints, b.pred_instances.keypoints,
                                   rtol=0, atol=1e-4)
        np.testing.assert_allclose(a.pred_instances.keypoint_scores,
                                   b.pred_instances.keypoint_scores, rtol=1e-5, atol=1e-6)


def test_tensor_mode_without_data_samples():
    """``model(x, mode='tensor')`` works without data samples (mmpose's estimator needs them
    positionally) and gives mmpose's heatmaps for the same weights."""
    model = build_tiny(seed=3)
    ref = build_model(tiny_model_cfg(estimator='TopdownPoseEstimator'))
    ref.load_state_dict(model.state_dict())
    ref.eval()
    inputs = torch.randn(2, 3, INPUT_SIZE[1], INPUT_SIZE[0],
                         generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        heatmaps = model(inputs, mode='tensor')
        expected = ref(inputs, None, mode='tensor')
    assert heatmaps.shape == (2, 17, HEATMAP_SIZE[1], HEATMAP_SIZE[0])
    span = float(expected.max() - expected.min())
    assert span > 0 and float((heatmaps - expected).abs().max()) <= 1e-6 * span


def test_rejects_float16_training_without_loss_scaler():
    with pytest.raises(ValueError, match="amp_dtype must be one of .* got 'float16'"):
        build_tiny(amp_dtype='float16')


def _train_losses(steps: int = 8, **options) -> list:
    """Loss of each Adam step on one fixed batch, from the same seeded initial weights."""
    model = build_tiny(seed=4, **options).train()
    assert model.backbone.conv1.weight.is_contiguous(
        memory_format=torch.channels_last) == options.get('channels_last', False)
    wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    batch = make_batch(4, seed=5, with_targets=True)
    return [model.train_step(batch, wrapper)['loss_kpt'].item() for _ in range(steps)]


def test_channels_last_and_bf16_train_like_fp32():
    fp32 = np.array(_train_losses())
    channels_last = np.array(_train_losses(channels_last=True))
    bf16 = np.array(_train_losses(channels_last=True, amp_dtype='bfloat16'))
    # The loss falls (overfitting one batch)...
    assert fp32[-1] < 0.6 * fp32[0] and bf16[-1] < 0.6 * bf16[0]
    # ...channels_last only reorders float32 sums (Adam's normalised steps amplify the
    # rounding differences a little, to ~0.1% after 8 steps)...
    np.testing.assert_allclose(channels_last, fp32, rtol=5e-3)
    # ...and bfloat16 (8 mantissa bits in the backbone) follows the float32 trajectory
    # (measured within 3%).
    np.testing.assert_allclose(bf16, fp32, rtol=0.05)
