"""tools/convert_checkpoint.py: checkpoints of the original HRNet code -> mmpose layout, for any
architecture the original code builds.

The "original" checkpoints are written here from the original repository's model definition
(``lib/models/pose_hrnet.py`` of leoxiaobin/deep-high-resolution-net.pytorch), independently of
the plugin's HRNet: which modules ``PoseHighResolutionNet`` creates under which names, with
which shapes, for a given ``MODEL.EXTRA``.
"""
from collections import OrderedDict
from typing import Dict, Sequence, Tuple

import pytest
import torch
import torchvision

from hrnet_plugin.checkpoint import convert_original_hrnet, infer_architecture
from hrnet_plugin.models import HeatmapHead, HRNet

from .helpers import load_tool

Shapes = Dict[str, Tuple[int, ...]]
BASIC, BOTTLENECK = 1, 4  # block.expansion of the original BasicBlock and Bottleneck


def _conv(shapes: Shapes, name: str, cin: int, cout: int, kernel: int) -> None:
    shapes[f'{name}.weight'] = (cout, cin, kernel, kernel)


def _bn(shapes: Shapes, name: str, channels: int) -> None:
    for field in ('weight', 'bias', 'running_mean', 'running_var'):
        shapes[f'{name}.{field}'] = (channels, )
    shapes[f'{name}.num_batches_tracked'] = ()


def _block(shapes: Shapes, name: str, cin: int, planes: int, expansion: int) -> int:
    """BasicBlock: conv1/bn1 3x3, conv2/bn2 3x3; Bottleneck: 1x1, 3x3, conv3/bn3 1x1 to
    4 x planes. ``downsample`` (1x1 conv + BN) when the input width differs from the output."""
    kernels = (3, 3) if expansion == BASIC else (1, 3, 1)
    widths = [planes] * (len(kernels) - 1) + [planes * expansion]
    width_in = cin
    for index, (kernel, width) in enumerate(zip(kernels, widths, strict=True), start=1):
        _conv(shapes, f'{name}.conv{index}', width_in, width, kernel)
        _bn(shapes, f'{name}.bn{index}', width)
        width_in = width
    if cin != planes * expansion:
        _conv(shapes, f'{name}.downsample.0', cin, planes * expansion, 1)
        _bn(shapes, f'{name}.downsample.1', planes * expansion)
    return planes * expansion


def _transition(shapes: Shapes, name: str, pre: Sequence[int], cur: Sequence[int]) -> None:
    """``_make_transition_layer``: existing branches re-widthed by conv3x3+BN (+ReLU) when their
    width changes (None otherwise); each new branch i is a Sequential of strided conv3x3+BN+ReLU
    from the last existing branch, index ``i.j.0`` / ``i.j.1``."""
    for i, width in enumerate(cur):
        if i < len(pre):
            if width != pre[i]:
                _conv(shapes, f'{name}.{i}.0', pre[i], width, 3)
                _bn(shapes, f'{name}.{i}.1', width)
        else:
            for j in range(i + 1 - len(pre)):
                out = width if j == i - len(pre) else pre[-1]
                _conv(shapes, f'{name}.{i}.{j}.0', pre[-1], out, 3)
                _bn(shapes, f'{name}.{i}.{j}.1', out)


def _module(shapes: Shapes, name: str, widths_in: Sequence[int], blocks: Sequence[int],
            channels: Sequence[int], expansion: int, multi_scale_output: bool) -> list:
    """``HighResolutionModule``: ``branches.b.k`` blocks, then ``fuse_layers.i.j`` (none with one
    branch; only row 0 when ``multi_scale_output`` is False): j > i conv1x1+BN, j < i a chain
    ``k`` of strided conv3x3+BN to the width of i on the last step, of j before."""
    widths = list(widths_in)
    for b, (num_blocks, planes) in enumerate(zip(blocks, channels, strict=True)):
        for k in range(num_blocks):
            widths[b] = _block(shapes, f'{name}.branches.{b}.{k}', widths[b], planes, expansion)
    if len(widths) > 1:
        for i in range(len(widths) if multi_scale_output else 1):
            for j in range(len(widths)):
                prefix = f'{name}.fuse_layers.{i}.{j}'
                if j > i:
                    _conv(shapes, f'{prefix}.0', widths[j], widths[i], 1)
                    _bn(shapes, f'{prefix}.1', widths[i])
                for k in range(i - j):
                    out = widths[i] if k == i - j - 1 else widths[j]
                    _conv(shapes, f'{prefix}.{k}.0', widths[j], out, 3)
                    _bn(shapes, f'{prefix}.{k}.1', out)
    return widths


def original_shapes(stages: Dict[int, dict], num_joints: int, final_kernel: int = 1) -> Shapes:
    """Keys and shapes of ``PoseHighResolutionNet`` for ``MODEL.EXTRA`` = ``stages`` (2, 3, 4:
    NUM_MODULES, NUM_BLOCKS, NUM_CHANNELS, BLOCK 'BASIC'), NUM_JOINTS and FINAL_CONV_KERNEL."""
    shapes: Shapes = OrderedDict()
    _conv(shapes, 'conv1', 3, 64, 3)
    _bn(shapes, 'bn1', 64)
    _conv(shapes, 'conv2', 64, 64, 3)
    _bn(shapes, 'bn2', 64)
    width = 64
    for k in range(4):  # layer1: four Bottlenecks of 64 planes, whatever the config
        width = _block(shapes, f'layer1.{k}', width, 64, BOTTLENECK)
    widths = [width]
    for index in (2, 3, 4):
        stage = stages[index]
        cur = [c * BASIC for c in stage['NUM_CHANNELS']]
        _transition(shapes, f'transition{index - 1}', widths, cur)
        widths = cur
        for m in range(stage['NUM_MODULES']):
            last = index == 4 and m == stage['NUM_MODULES'] - 1
            widths = _module(shapes, f'stage{index}.{m}', widths, stage['NUM_BLOCKS'],
                             stage['NUM_CHANNELS'], BASIC, multi_scale_output=not last)
    shapes['final_layer.weight'] = (num_joints, widths[0], final_kernel, final_kernel)
    shapes['final_layer.bias'] = (num_joints, )
    return shapes


def original_checkpoint(stages: Dict[int, dict], num_joints: int = 17, final_kernel: int = 1,
                        seed: int = 0) -> 'OrderedDict[str, torch.Tensor]':
    """Seeded random weights under the original names."""
    generator = torch.Generator().manual_seed(seed)
    return OrderedDict(
        (key, torch.randint(0, 100, shape, generator=generator) if key.endswith('tracked')
         else torch.randn(shape, generator=generator))
        for key, shape in original_shapes(stages, num_joints, final_kernel).items())


def paper(width: int) -> Dict[int, dict]:
    """w32_256x192_adam_lr1e-3.yaml's EXTRA (W48: the same with 48)."""
    return {index: dict(NUM_MODULES=modules, NUM_BLOCKS=[4] * index,
                        NUM_CHANNELS=[width * 2**b for b in range(index)])
            for index, modules in ((2, 1), (3, 4), (4, 3))}


def minimal(width: int = 16) -> Dict[int, dict]:
    """One module and one block per stage: what the converter used to refuse."""
    return {index: dict(NUM_MODULES=1, NUM_BLOCKS=[1] * index,
                        NUM_CHANNELS=[width * 2**b for b in range(index)])
            for index in (2, 3, 4)}


MIXED = {2: dict(NUM_MODULES=2, NUM_BLOCKS=[2, 3], NUM_CHANNELS=[18, 36]),
         3: dict(NUM_MODULES=1, NUM_BLOCKS=[1, 2, 1], NUM_CHANNELS=[18, 36, 72]),
         4: dict(NUM_MODULES=2, NUM_BLOCKS=[1, 1, 2, 1], NUM_CHANNELS=[18, 36, 72, 144])}


def load_converted(converted: dict) -> torch.nn.ModuleDict:
    """The plugin's HRNet and head built from the converted meta, loaded strictly."""
    meta = converted['meta']
    width = meta['extra']['stage4']['num_channels'][0]
    model = torch.nn.ModuleDict(dict(
        backbone=HRNet(meta['extra']),
        head=HeatmapHead(width, meta['num_keypoints'], deconv_out_channels=None,
                         final_layer=meta['final_layer'])))
    model.load_state_dict(converted['state_dict'], strict=True)
    return model


@pytest.mark.parametrize('stages, num_joints, kernel', [
    (paper(32), 17, 1), (minimal(), 17, 1), (MIXED, 16, 3)], ids=['w32', 'minimal', 'mixed'])
def test_any_architecture_converts_and_loads_strictly(stages, num_joints, kernel):
    weights = original_checkpoint(stages, num_joints, kernel)
    converted = convert_original_hrnet(weights)
    extra = converted['meta']['extra']
    for index, stage in stages.items():
        assert extra[f'stage{index}'] == dict(
            num_modules=stage['NUM_MODULES'], num_branches=index, block='BASIC',
            num_blocks=tuple(stage['NUM_BLOCKS']), num_channels=tuple(stage['NUM_CHANNELS']))
    assert extra['stage1'] == dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                                   num_blocks=(4, ), num_channels=(64, ))
    assert converted['meta']['final_layer'] == dict(kernel_size=kernel, padding=kernel // 2)
    loaded = load_converted(converted).state_dict()
    assert len(loaded) == len(weights)
    for key, tensor in weights.items():
        target = f'head.{key}' if key.startswith('final_layer.') else f'backbone.{key}'
        assert torch.equal(loaded[target], tensor), key


def test_training_checkpoint_with_module_prefix_and_best():
    latest = original_checkpoint(MIXED, 16, seed=1)
    best = original_checkpoint(MIXED, 16, seed=2)
    checkpoint = dict(epoch=140, model='pose_hrnet', perf=0.9,
                      state_dict=OrderedDict((f'module.{k}', v) for k, v in latest.items()),
                      best_state_dict=best)
    model = load_converted(convert_original_hrnet(checkpoint))
    assert torch.equal(model['backbone'].conv1.weight, latest['conv1.weight'])
    model = load_converted(convert_original_hrnet(checkpoint, use_best=True))
    assert torch.equal(model['backbone'].conv1.weight, best['conv1.weight'])
    assert infer_architecture(best)[1:] == (16, 1)


def test_refuses_other_networks_listing_keys():
    with pytest.raises(ValueError, match="missing key 'stage2.0.branches.0.0.conv1.weight'"):
        convert_original_hrnet(torchvision.models.resnet18().state_dict())
    weights = original_checkpoint(paper(32))
    weights['extra_head.weight'] = torch.zeros(1)
    del weights['stage3.1.branches.0.0.conv1.weight']
    weights['stage4.0.branches.0.1.conv1.weight'] = torch.zeros(1, 1, 3, 3)
    with pytest.raises(ValueError) as error:
        convert_original_hrnet(weights)
    message = str(error.value)
    assert 'modules (1, 1, 4, 3)' in message
    assert ('1 missing (in the model, not in the checkpoint): '
            'backbone.stage3.1.branches.0.0.conv1.weight') in message
    assert ('1 unexpected (in the checkpoint, not in the model): '
            'backbone.extra_head.weight') in message
    assert ('backbone.stage4.0.branches.0.1.conv1.weight: checkpoint (1, 1, 3, 3), '
            'model (32, 32, 3, 3)') in message


def test_cli_round_trip(tmp_path, capsys):
    tool = load_tool('convert_checkpoint')
    src, dst = tmp_path / 'pose_hrnet_minimal.pth', tmp_path / 'converted.pth'
    torch.save(original_checkpoint(minimal(), 16), src)
    assert tool.main([str(src), str(dst)]) == 0
    printed = capsys.readouterr().out
    assert 'widths (16, 32, 64, 128), modules (1, 1, 1, 1)' in printed
    assert '16 keypoints' in printed and 'model.head.in_channels=16' in printed
    load_converted(torch.load(dst, weights_only=True))
    torch.save(torchvision.models.resnet18().state_dict(), src)
    assert tool.main([str(src), str(dst)]) == 1
    assert 'not an original HRNet pose checkpoint' in capsys.readouterr().err
