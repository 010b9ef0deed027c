"""Convert checkpoints of the original HRNet code (leoxiaobin/deep-high-resolution-net.pytorch)
into mmpose's layout.

The original ``PoseHighResolutionNet`` names its modules exactly as mmpose's ``HRNet`` does
(``conv1``, ``bn1``, ``layer1``, ``transition{i}``, ``stage{i}``...), except that the final 1x1
convolution ``final_layer`` lives inside the network; mmpose keeps it in the head. Its training
``checkpoint.pth`` wraps the weights (``state_dict``, with DataParallel's ``module.`` prefix,
and ``best_state_dict``) together with the epoch and optimizer.
"""
from collections import OrderedDict
from typing import Dict, Tuple

import torch
from torch import Tensor

from hrnet_plugin.models.backbones import HRNet, hrnet_extra

FINAL_LAYER = 'final_layer.'


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


def infer_architecture(weights: Dict[str, Tensor]) -> Tuple[int, int]:
    """(HRNet width, number of keypoints) from the first transition and the final layer."""
    try:
        width = weights['transition1.0.0.weight'].shape[0]
        num_keypoints = weights['final_layer.weight'].shape[0]
    except KeyError as missing:
        raise ValueError(f'not an original HRNet pose checkpoint: missing key {missing}; '
                         f'found keys like {list(weights)[:5]}') from None
    return int(width), int(num_keypoints)


def convert_original_hrnet(checkpoint: dict, use_best: bool = False) -> dict:
    """Convert a loaded original-HRNet checkpoint into an mmpose checkpoint dict.

    Returns:
        ``{'meta': {...}, 'state_dict': {'backbone.*', 'head.final_layer.*'}}``.
    Raises:
        ValueError listing missing/unexpected keys or mismatched shapes when the weights are
        not those of an original HRNet pose network.
    """
    weights = _weights(checkpoint, use_best)
    width, num_keypoints = infer_architecture(weights)
    expected = {f'backbone.{k}': v.shape for k, v in HRNet(hrnet_extra(width)).state_dict().items()}
    expected['head.final_layer.weight'] = torch.Size((num_keypoints, width, 1, 1))
    expected['head.final_layer.bias'] = torch.Size((num_keypoints, ))

    converted = OrderedDict(
        ((f'head.{k}' if k.startswith(FINAL_LAYER) else f'backbone.{k}'), v)
        for k, v in weights.items())
    missing = sorted(set(expected) - set(converted))
    unexpected = sorted(set(converted) - set(expected))
    wrong = sorted(k for k in set(expected) & set(converted)
                   if tuple(converted[k].shape) != tuple(expected[k]))
    if missing or unexpected or wrong:
        details = [f'{name} ({len(keys)}): {keys[:10]}' for name, keys in
                   (('missing', missing), ('unexpected', unexpected), ('wrong shape', wrong))
                   if keys]
        raise ValueError(f'not an original HRNet-W{width} pose checkpoint; ' + '; '.join(details))
    meta = dict(source='leoxiaobin/deep-high-resolution-net.pytorch', arch=f'hrnet_w{width}',
                num_keypoints=num_keypoints, epoch=checkpoint.get('epoch'))
    return dict(meta=meta, state_dict=converted)
