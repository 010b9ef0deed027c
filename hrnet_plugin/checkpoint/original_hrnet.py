"""Convert checkpoints of the original HRNet code (leoxiaobin/deep-high-resolution-net.pytorch)
into mmpose's layout.

The original ``PoseHighResolutionNet`` names its modules exactly as mmpose's ``HRNet`` does
(``conv1``, ``bn1``, ``layer1``, ``transition{i}``, ``stage{i}``...), except that the final
convolution ``final_layer`` lives inside the network; mmpose keeps it in the head. Its training
``checkpoint.pth`` wraps the weights (``state_dict``, with DataParallel's ``module.`` prefix,
and ``best_state_dict``) together with the epoch and optimizer.

The architecture (modules, branches, blocks and widths of every stage, the final kernel size)
is a set of config values there (``MODEL.EXTRA``); here it is read back from the keys and
shapes, so any network the original code can build converts, not only W32 and W48.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Tuple

from torch import Tensor

from hrnet_plugin.models.backbones import HRNet
from hrnet_plugin.models.heads import HeatmapHead

from .strict_loading import compare_weights

FINAL_LAYER = 'final_layer.'
SOURCE = 'leoxiaobin/deep-high-resolution-net.pytorch'
# Keys every original pose network has: the stem, stage 1, the first block of stages 2-4 and
# the final layer.
REQUIRED = ('conv1.weight', 'layer1.0.conv1.weight', 'stage2.0.branches.0.0.conv1.weight',
            'stage3.0.branches.0.0.conv1.weight', 'stage4.0.branches.0.0.conv1.weight',
            'final_layer.weight')


def _weights(checkpoint: dict, use_best: bool) -> Dict[str, Tensor]:
    """The state dict inside a ``pose_hrnet_*.pth`` / ``final_state.pth`` / ``checkpoint.pth``."""
    key = 'best_state_dict' if use_best else 'state_dict'
    if key in checkpoint:
        checkpoint = checkpoint[key]
    elif use_best:
        raise ValueError(f"no 'best_state_dict' in the checkpoint; keys: {sorted(checkpoint)[:8]}")
    prefix = 'module.'
    return OrderedDict((k[len(prefix):] if k.startswith(prefix) else k, v)
                       for k, v in checkpoint.items())


def _indices(weights: Dict[str, Tensor], prefix: str) -> List[int]:
    """The distinct numbers that follow ``prefix`` in the keys (``'stage3.'`` -> the indices of
    its modules), sorted."""
    pattern = re.compile(re.escape(prefix) + r'(\d+)\.')
    return sorted({int(match.group(1)) for key in weights if (match := pattern.match(key))})


def _block_type(weights: Dict[str, Tensor], prefix: str) -> str:
    """'BOTTLENECK' (three convolutions) or 'BASIC' (two), for the block at ``prefix``."""
    return 'BOTTLENECK' if f'{prefix}conv3.weight' in weights else 'BASIC'


def infer_architecture(weights: Dict[str, Tensor]) -> Tuple[dict, int, int]:
    """The architecture of an original HRNet pose network, from its keys and shapes.

    Every module of a stage has the branches and blocks of the stage's first module (the
    original code builds them from one config); ``convert_original_hrnet`` checks all keys.

    Returns:
        (``extra`` of ``hrnet_plugin.HRNet``, number of keypoints, final kernel size).

    Raises:
        ValueError: a key every original pose network has is missing.
    """
    missing = [key for key in REQUIRED if key not in weights]
    if missing:
        raise ValueError(f'not an original HRNet pose checkpoint: missing key {missing[0]!r}; '
                         f'found keys like {list(weights)[:5]}')
    extra = {'stage1': dict(num_modules=1, num_branches=1, block=_block_type(weights, 'layer1.0.'),
                            num_blocks=(len(_indices(weights, 'layer1.')), ),
                            num_channels=(int(weights['layer1.0.conv1.weight'].shape[0]), ))}
    for index in (2, 3, 4):
        first = f'stage{index}.0.branches.'
        branches = _indices(weights, first)
        extra[f'stage{index}'] = dict(
            num_modules=len(_indices(weights, f'stage{index}.')), num_branches=len(branches),
            block=_block_type(weights, f'{first}0.0.'),
            num_blocks=tuple(len(_indices(weights, f'{first}{b}.')) for b in branches),
            num_channels=tuple(int(weights[f'{first}{b}.0.conv1.weight'].shape[0])
                               for b in branches))
    final = weights['final_layer.weight']
    return extra, int(final.shape[0]), int(final.shape[-1])


def convert_original_hrnet(checkpoint: dict, use_best: bool = False) -> dict:
    """Convert a loaded original-HRNet checkpoint into an mmpose checkpoint dict.

    Returns:
        ``{'meta': {...}, 'state_dict': {'backbone.*', 'head.final_layer.*'}}``; ``meta`` holds
        the architecture for the config: ``extra`` (``model.backbone.extra``),
        ``num_keypoints`` and ``final_layer`` (``model.head.final_layer``).

    Raises:
        ValueError listing missing/unexpected keys and mismatched shapes when the weights are
        not those of an original HRNet pose network.
    """
    weights = _weights(checkpoint, use_best)
    extra, num_keypoints, kernel_size = infer_architecture(weights)
    # The original pads a 3x3 final layer by 1 and a 1x1 one by 0.
    final_layer = dict(kernel_size=kernel_size, padding=1 if kernel_size == 3 else 0)
    head = HeatmapHead(extra['stage4']['num_channels'][0], num_keypoints,
                       deconv_out_channels=None, final_layer=final_layer)
    expected = OrderedDict([*((f'backbone.{k}', v) for k, v in HRNet(extra).state_dict().items()),
                            *((f'head.{k}', v) for k, v in head.state_dict().items())])
    converted = OrderedDict(
        ((f'head.{k}' if k.startswith(FINAL_LAYER) else f'backbone.{k}'), v)
        for k, v in weights.items())
    mismatch = compare_weights(expected, converted)
    if mismatch:
        raise ValueError(f'not an original HRNet pose checkpoint of the architecture its keys '
                         f'describe ({describe_architecture(extra)}): {mismatch.describe()}')
    meta = dict(source=SOURCE, extra=extra, num_keypoints=num_keypoints, final_layer=final_layer,
                epoch=checkpoint.get('epoch'))
    return dict(meta=meta, state_dict=converted)


def describe_architecture(extra: dict) -> str:
    """'widths (32, 64, 128, 256), modules (1, 1, 4, 3), blocks (4, 4, 4, 4)' of an ``extra``."""
    stages = [extra[f'stage{index}'] for index in (1, 2, 3, 4)]
    return (f"widths {stages[3]['num_channels']}, modules "
            f"{tuple(stage['num_modules'] for stage in stages)}, blocks per branch "
            f"{tuple(stage['num_blocks'][0] for stage in stages)}")
