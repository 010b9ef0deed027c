"""optimize_for_inference: BatchNorm folding, channels_last and bfloat16 keep the model's output
and its mmpose interface (tensor mode, test_step)."""
import copy

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmcv.cnn import fuse_conv_bn
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.registry import DefaultScope

from hrnet_plugin.deploy import relative_max_error
from hrnet_plugin.deploy.fast_inference import fuse_batchnorm, optimize_for_inference
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
def test_fuse_batchnorm_equals_conv_then_bn(conv):
    torch.manual_seed(0)
    model = randomize(nn.Sequential(conv, nn.BatchNorm2d(6)), seed=1).eval()
    x = torch.randn(2, 4, 8, 8)
    with torch.no_grad():
        expected = model(x)
        fused = fuse_batchnorm(copy.deepcopy(model))
        assert relative_max_error(fused(x), expected) <= 1e-6
    # mmcv folds into nn.Conv2d only; a transposed convolution keeps its BatchNorm.
    folded = not isinstance(conv, nn.ConvTranspose2d)
    assert isinstance(fused[1], nn.Identity if folded else nn.BatchNorm2d)


def _rtmdet_head_outputs(head: nn.Module, feats) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([t.flatten() for level_outputs in head(feats) for t in level_outputs])


def test_shared_convolutions_keep_their_batchnorms():
    """mmdet's RTMDetSepBNHead runs one convolution on every pyramid level, each level with
    its own BatchNorm. mmcv's registration-order pairing folds every level's BatchNorm into
    that one convolution and changes the output; fuse_batchnorm leaves those pairs alone."""
    with DefaultScope.overwrite_default_scope('mmdet'):
        head = MMDET_MODELS.build(dict(
            type='RTMDetSepBNHead', num_classes=2, in_channels=8, feat_channels=8,
            stacked_convs=2, share_conv=True,
            anchor_generator=dict(type='MlvlPointGenerator', offset=0, strides=[8, 16, 32]),
            bbox_coder=dict(type='DistancePointBBoxCoder'),
            loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0),
            loss_bbox=dict(type='GIoULoss')))
    assert head.cls_convs[1][0].conv is head.cls_convs[0][0].conv
    randomize(head, seed=2).eval()
    gen = torch.Generator().manual_seed(3)
    feats = tuple(torch.randn(1, 8, size, size, generator=gen) for size in (8, 4, 2))
    expected = _rtmdet_head_outputs(head, feats)
    assert relative_max_error(_rtmdet_head_outputs(fuse_conv_bn(copy.deepcopy(head)), feats),
                              expected) > 0.01
    fused = fuse_batchnorm(copy.deepcopy(head))
    assert relative_max_error(_rtmdet_head_outputs(fused, feats), expected) <= 1e-6


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
        assert not any(isinstance(m, nn.BatchNorm2d) for m in fast.modules())
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
