"""Test-time horizontal flip of heatmaps (Xiao et al., "Simple Baselines", ECCV 2018)."""
from typing import Optional, Sequence

from torch import Tensor

FLIP_MODES = ('heatmap', 'udp_combined')


def flip_heatmaps(heatmaps: Tensor, flip_indices: Optional[Sequence[int]] = None,
                  flip_mode: str = 'heatmap', shift_heatmap: bool = False) -> Tensor:
    """Map heatmaps predicted on a mirrored image back to the original image.

    Args:
        heatmaps: (B, C, H, W); C = K ('heatmap') or K*3 ('udp_combined': disk, x offset,
            y offset per keypoint).
        flip_indices: (K,) index of each keypoint's mirror partner (left <-> right).
        flip_mode: 'heatmap' or 'udp_combined' (also negates the x offsets).
        shift_heatmap: shift one pixel right, compensating the half-pixel misalignment of a
            flipped (non-UDP) heatmap grid.
    Returns:
        (B, C, H, W), a new tensor.
    """
    if flip_mode not in FLIP_MODES:
        raise ValueError(f'flip_mode must be one of {FLIP_MODES}, got {flip_mode!r}')
    batch, channels, height, width = heatmaps.shape
    group = 3 if flip_mode == 'udp_combined' else 1
    maps = heatmaps.flip(-1).view(batch, channels // group, group, height, width)
    if flip_indices is not None:
        if len(flip_indices) != channels // group:
            raise ValueError(f'flip_indices has {len(flip_indices)} entries but the heatmaps '
                             f'hold {channels // group} keypoints')
        maps = maps[:, list(flip_indices)]
    if flip_mode == 'udp_combined':
        maps = maps.clone()
        maps[:, :, 1] = -maps[:, :, 1]
    maps = maps.reshape(batch, channels, height, width)
    if shift_heatmap:
        maps = maps.clone()
        maps[..., 1:] = maps[..., :-1].clone()
    return maps
