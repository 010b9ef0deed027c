"""optimize_for_inference: BatchNorm folding, channels_last and bfloat16 keep the model's output
and its mmpose interface (tensor mode, test_step)."""
import copy

import numpy as np
import pytest
import torch
import torch.nn as nn

from hrnet_plugin.apis.fast_inference import (
    conv_bn_pairs,
    fold_batchnorm,
    optimize_for_inference,
    relative_max_error,
)
from tests.models.tiny_topdown import INPUT_SIZE, build_tiny, make_batch, randomize, single_thread

pytestmark = pytest.mark.usefixtures(single_thread.__name__)

# bfloat16 keeps 8 mantissa bits (relative rounding 2**-9 per operation); through the tiny
# HRNet's ~40 layers the heatmaps measured within 1.5% of their range.
BF16_TOLERANCE = 0.03


def _inputs(num: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(num, 3, INPUT_SIZE[1], INPUT_SIZE[0],
                       generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize('conv', [
    nn.Conv2d(4, 6, 3, padding=1, bias=False),
    nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, bias=True),
    nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, bias=False),
], ids=['conv', 'grouped-conv-bias', 'deconv'])
def test_fold_batchnorm_equals_conv_then_bn(conv):
    torch.manual_seed(0)
    bn = randomize(nn.Sequential(conv, nn.BatchNorm2d(6)), seed=1).eval()
    x = torch.randn(2, 4, 8, 8)
    out_axis = 1 if isinstance(conv, nn.ConvTranspose2d) else 0
    weight, bias = fold_batchnorm(conv.weight, conv.bias, bn[1].running_mean,
                                  bn[1].running_var, bn[1].eps, bn[1].weight, bn[1].bias,
                                  out_axis)
    folded = copy.deepcopy(conv)
    folded.weight.data, folded.bias = weight, nn.Parameter(bias)
    with torch.no_grad():
        expected = bn(x)
        assert relative_max_error(folded(x), expected) <= 1e-6


class _SharedOutput(nn.Module):
    """conv1's output feeds a BatchNorm AND a residual sum: folding would change the sum."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3)
        self.conv2, self.bn2 = nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv1(x)
        return self.bn2(self.conv2(self.bn1(y) + y))


def test_conv_bn_pairs_follow_the_data_flow():
    assert conv_bn_pairs(_SharedOutput()) == [('conv2', 'bn2')]
    model = build_tiny()
    bns = {n for n, m in model.backbone.named_modules() if isinstance(m, nn.BatchNorm2d)}
    paired = {bn for _, bn in conv_bn_pairs(model.backbone)}
    # Every BatchNorm of HRNet directly follows a convolution; the stem's two are wired by
    # HRNet.forward itself, which fx can trace only without its input-size check.
    assert paired <= bns and bns - paired <= {'bn1', 'bn2'}


@pytest.mark.parametrize('options,tolerance', [
    (dict(channels_last=False), 1e-4),
    (dict(channels_last=True), 1e-4),
    (dict(channels_last=True, fuse_bn=False), 1e-4),
    (dict(precision='bf16'), BF16_TOLERANCE),
], ids=['fused', 'fused-channels-last', 'channels-last', 'bf16'])
def test_optimized_heatmaps_equal_the_original(options, tolerance):
    model = build_tiny(seed=6)
    inputs = _inputs(3)
    with torch.no_grad():
        expected = model(inputs, mode='tensor')
        fast = optimize_for_inference(copy.deepcopy(model), **options)
        got = fast(inputs, mode='tensor')
    if options.get('fuse_bn', True):
        left = {n for n, m in fast.named_modules() if isinstance(m, nn.BatchNorm2d)}
        assert left <= {'backbone.bn1', 'backbone.bn2'}  # see test_conv_bn_pairs_...
    assert got.dtype == torch.float32 and got.is_contiguous()
    assert relative_max_error(got, expected) <= tolerance


@pytest.mark.slow  # inductor compiles C++ kernels: ~15 s
def test_compiled_heatmaps_equal_the_original():
    model = build_tiny(seed=9)
    inputs = _inputs(2)
    with torch.no_grad():
        expected = model(inputs, mode='tensor')
        got = optimize_for_inference(copy.deepcopy(model), compile=True)(inputs, mode='tensor')
    assert relative_max_error(got, expected) <= 1e-4


@pytest.mark.parametrize('estimator', ['hrnet_plugin.TopdownPoseEstimator',
                                       'TopdownPoseEstimator'])  # ours and mmpose's
def test_optimized_test_step_predicts_like_the_original(estimator):
    model = build_tiny(seed=7, estimator=estimator)
    batch = make_batch(4, seed=8)
    with torch.no_grad():
        expected = model.test_step(copy.deepcopy(batch))
        fast = optimize_for_inference(copy.deepcopy(model))
        got = fast.test_step(copy.deepcopy(batch))
    assert not any(p.requires_grad for p in fast.parameters())
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a.pred_instances.keypoints, b.pred_instances.keypoints,
                                   atol=1e-3)


def test_fp16_needs_cuda():
    with pytest.raises(ValueError, match="'fp16' needs a CUDA device"):
        optimize_for_inference(build_tiny(), precision='fp16')


def test_unknown_precision():
    with pytest.raises(ValueError, match="precision must be one of .* got 'int8'"):
        optimize_for_inference(build_tiny(), precision='int8')
