"""HRNet + HeatmapHead equal mmpose's on the same state_dict (differential tests)."""
import pytest
import torch
from mmpose.models.backbones import HRNet as MMPoseHRNet
from mmpose.models.heads import HeatmapHead as MMPoseHeatmapHead
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import MODELS

import hrnet_plugin  # noqa: F401
from hrnet_plugin.models import HeatmapHead, HRNet
from hrnet_plugin.models.backbones.hrnet_presets import hrnet_extra

from .hrnet_archs import TINY_EXTRA

COCO_FLIP = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]


def _randomize(module: torch.nn.Module, seed: int) -> None:
    """Random weights AND BatchNorm statistics, so eval-mode BN is not an identity."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if tensor.dtype.is_floating_point:
                values = torch.randn(tensor.shape, generator=gen) * 0.1
                if name.endswith('running_var'):
                    values = values.abs() + 0.5
                tensor.copy_(values)


def _pair(width: int, seed: int = 0):
    extra = hrnet_extra(width)
    ours = torch.nn.Sequential(HRNet(extra), HeatmapHead(width, 17, deconv_out_channels=None))
    ref = torch.nn.Sequential(MMPoseHRNet(extra), MMPoseHeatmapHead(width, 17,
                                                                    deconv_out_channels=None))
    _randomize(ref, seed)
    ours.load_state_dict(ref.state_dict(), strict=True)
    return ours.eval(), ref.eval()


@pytest.mark.parametrize('width,size', [(32, (256, 192)), (32, (384, 288)), (48, (256, 192)),
                                        (48, (384, 288))])
def test_heatmaps_equal_mmpose(width, size):
    ours, ref = _pair(width)
    assert list(ours.state_dict()) == list(ref.state_dict())
    x = torch.randn(1, 3, *size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = ref[1](ref[0](x))
        got = ours[1](ours[0](x))
        flipped_expected = flip_heatmaps(ref[1](ref[0](x.flip(-1))), COCO_FLIP,
                                         shift_heatmap=True)
        flipped_got = flip_heatmaps(ours[1](ours[0](x.flip(-1))), COCO_FLIP, shift_heatmap=True)
    assert got.shape == (1, 17, size[0] // 4, size[1] // 4)
    span = float(expected.max() - expected.min())
    assert span > 0
    assert (got - expected).abs().max() <= 1e-5 * span
    assert (flipped_got - flipped_expected).abs().max() <= 1e-5 * span


@pytest.mark.parametrize('kwargs', [dict(), dict(multiscale=True), dict(frozen_stages=2),
                                    dict(norm_eval=True), dict(with_cp=True),
                                    dict(zero_init_residual=True)])
def test_options_match_mmpose(kwargs):
    """Same state_dict, same outputs, same trainable parameters and same training-mode output
    (BN in train mode unless frozen) for every constructor option, on a tiny architecture."""
    extra = {k: dict(v) for k, v in TINY_EXTRA.items()}
    if kwargs.pop('multiscale', False):
        extra['stage4']['multiscale_output'] = True
    torch.manual_seed(0)
    ref = MMPoseHRNet(extra, **kwargs)
    ref.init_weights()
    torch.manual_seed(0)
    ours = HRNet(extra, **kwargs)
    ours.init_weights()
    assert list(ours.state_dict()) == list(ref.state_dict())
    for (name, a), b in zip(ours.state_dict().items(), ref.state_dict().values()):
        assert a.shape == b.shape, name
    if kwargs.get('zero_init_residual'):
        assert all(torch.equal(a, b) for a, b in zip(ours.state_dict().values(),
                                                     ref.state_dict().values()))
    _randomize(ref, 3)
    ours.load_state_dict(ref.state_dict())
    ours.train()
    ref.train()
    assert ([n for n, p in ours.named_parameters() if p.requires_grad]
            == [n for n, p in ref.named_parameters() if p.requires_grad])
    def training_norms(model):  # the training flag only matters for normalization layers
        return sorted(n for n, m in model.named_modules()
                      if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.training)

    assert training_norms(ours) == training_norms(ref)
    x = torch.randn(2, 3, 64, 32, generator=torch.Generator().manual_seed(2), requires_grad=True)
    got, expected = ours(x), ref(x)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert torch.allclose(a, b, atol=1e-5, rtol=1e-4)
    sum(t.sum() for t in got).backward()


def test_registry_scopes():
    """The plugin's types resolve through mmpose's root registry; mmpose's own stay intact."""
    ours = MODELS.build(dict(type='hrnet_plugin.HRNet', extra=TINY_EXTRA))
    theirs = MODELS.build(dict(type='HRNet', extra=TINY_EXTRA))
    assert type(ours) is HRNet
    assert type(theirs) is MMPoseHRNet
    head = MODELS.build(dict(type='hrnet_plugin.HeatmapHead', in_channels=8, out_channels=17,
                             deconv_out_channels=None,
                             decoder=dict(type='hrnet_plugin.MSRAHeatmap', input_size=(48, 64),
                                          heatmap_size=(12, 16), sigma=2)))
    assert type(head) is HeatmapHead
    assert type(head.decoder).__module__.startswith('hrnet_plugin')


def test_head_with_deconv_equals_mmpose():
    kwargs = dict(in_channels=16, out_channels=5, deconv_out_channels=(8, 8),
                  deconv_kernel_sizes=(4, 3), conv_out_channels=(8, ), conv_kernel_sizes=(3, ))
    ref = MMPoseHeatmapHead(**kwargs)
    ours = HeatmapHead(**kwargs)
    assert list(ours.state_dict()) == list(ref.state_dict())
    _randomize(ref, 5)
    ours.load_state_dict(ref.state_dict())
    x = (torch.randn(2, 16, 8, 6, generator=torch.Generator().manual_seed(0)), )
    assert torch.allclose(ours.eval()(x), ref.eval()(x), atol=1e-6)


def test_complexity_w32():
    """Params and convolution multiply-adds of W32 256x192 (backbone + head) equal mmpose's:
    28.54 M parameters and 7.65 G multiply-adds in the convolutions."""
    ours, ref = _pair(32)
    count = sum(p.numel() for p in ours.parameters())
    assert count == sum(p.numel() for p in ref.parameters())
    assert round(count / 1e6, 2) == 28.54

    macs = []

    def hook(module, inputs, output):
        kernel = module.weight[0].numel()  # in_channels/groups * kh * kw
        macs.append(output.numel() * kernel)

    for m in ours.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(hook)
    with torch.no_grad():
        ours(torch.zeros(1, 3, 256, 192))
    assert round(sum(macs) / 1e9, 2) == 7.65


@pytest.mark.parametrize('stage,patch,match', [
    ('stage2', dict(block='RESNEXT'), "extra\\['stage2'\\]: unknown block 'RESNEXT'"),
    ('stage2', dict(num_blocks=(4, 4, 4)),
     "extra\\['stage2'\\]: num_blocks=\\(4, 4, 4\\) has 3 entries but num_branches=2"),
    ('stage3', dict(num_channels=(8, )),
     "extra\\['stage3'\\]: num_channels=\\(8,\\) has 1 entries but num_branches=3"),
    ('stage3', dict(num_branches=1, num_blocks=(1, ), num_channels=(8, )),
     "extra\\['stage3'\\]: num_branches=1 is fewer than the previous stage's 2"),
    ('stage1', dict(num_branches=2, num_blocks=(1, 1), num_channels=(8, 8)),
     "extra\\['stage1'\\]: num_branches must be 1"),
])
def test_bad_extra_is_rejected_at_construction(stage, patch, match):
    extra = {k: dict(v) for k, v in TINY_EXTRA.items()}
    extra[stage].update(patch)
    with pytest.raises(ValueError, match=match):
        HRNet(extra)


def test_input_size_must_be_a_multiple_of_32():
    with pytest.raises(ValueError, match=r'multiples of 32, got \(64, 48\)'):
        HRNet(TINY_EXTRA)(torch.zeros(1, 3, 64, 48))


def test_head_builds_under_another_default_scope():
    """The head's loss and codec resolve even when another package's scope is the default."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        head = HeatmapHead(8, 17, deconv_out_channels=None,
                           decoder=dict(type='MSRAHeatmap', input_size=(48, 64),
                                        heatmap_size=(12, 16), sigma=2))
    assert type(head.loss_module).__name__ == 'KeypointMSELoss'
    assert type(head.decoder).__module__.startswith('hrnet_plugin')
