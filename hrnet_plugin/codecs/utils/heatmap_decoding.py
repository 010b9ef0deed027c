"""Batched heatmap decoding in torch, on the heatmaps' device, with no per-instance loop.

Shape legend: B instances, K keypoints, heatmap size [W, H].

All functions take ``heatmaps`` of shape (B, K, H, W) and keypoint locations ``locs`` (B, K, 2)
in heatmap pixels. Sub-pixel refinements:

* ``refine_quarter_offset``: move a quarter pixel towards the higher neighbour (MSRA/HRNet).
* DARK and its UDP variant (``dark_refinement``, numpy) through ``refine_on_host``: they need
  OpenCV's blur and LAPACK's inverse to equal mmpose's results bit for bit.
* ``decode_udp_combined``: UDP's disk maps and offset fields.
"""
from typing import Callable, Tuple

import numpy as np
import torch
from torch import Tensor

from .heatmap_blur import blur_reflect_border


def heatmap_argmax(heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
    """Location and value of each heatmap's maximum (first one on ties).

    Returns:
        locs (B, K, 2) float32 (x, y), -1 where the maximum is <= 0; vals (B, K).
    """
    batch, num_keypoints, height, width = heatmaps.shape
    vals, index = heatmaps.flatten(2).max(dim=-1)
    locs = torch.stack((index % width, torch.div(index, width, rounding_mode='floor')), dim=-1)
    locs = locs.to(torch.float32)
    return locs.masked_fill((vals <= 0)[..., None], -1), vals


def _gather(maps: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """``maps[b, k, y[b, k], x[b, k]]`` for (B, K) integer index tensors (clamped in range)."""
    height, width = maps.shape[-2:]
    flat = (y.clamp(0, height - 1) * width + x.clamp(0, width - 1)).flatten(1)
    return maps.flatten(2).gather(2, flat.unsqueeze(-1).long()).squeeze(-1).view(x.shape)


def refine_quarter_offset(locs: Tensor, heatmaps: Tensor) -> Tensor:
    """Shift each maximum by a quarter pixel towards its higher neighbour, per axis."""
    height, width = heatmaps.shape[-2:]
    x, y = locs[..., 0].long(), locs[..., 1].long()
    dx = _gather(heatmaps, x + 1, y) - _gather(heatmaps, x - 1, y)
    dy = _gather(heatmaps, x, y + 1) - _gather(heatmaps, x, y - 1)
    # Neighbours must exist; the bounds follow the original HRNet post-processing.
    dx = dx.masked_fill(~((x > 1) & (x < width - 1) & (y > 0) & (y < height)), 0)
    dy = dy.masked_fill(~((y > 1) & (y < height - 1) & (x > 0) & (x < width)), 0)
    return locs + 0.25 * torch.stack((dx.sign(), dy.sign()), dim=-1).to(locs.dtype)


def refine_on_host(refine: Callable[[np.ndarray, np.ndarray, int], np.ndarray], locs: Tensor,
                   heatmaps: Tensor, blur_kernel_size: int) -> Tensor:
    """Apply a numpy refinement (``refine_dark``, ``refine_dark_udp``) to host copies of
    ``locs`` and ``heatmaps``; the refined locs (B, K, 2) return to the device of ``locs``.

    OpenCV's blur and LAPACK's 2x2 inverse, which the refinement needs to equal mmpose's
    results, run on the CPU only: CUDA maps go through host memory here.
    """
    refined = refine(locs.cpu().numpy(), heatmaps.cpu().numpy(), blur_kernel_size)
    return torch.from_numpy(refined).to(locs.device)


def decode_udp_combined(heatmaps: Tensor, blur_kernel_size: int,
                        radius_factor: float) -> Tuple[Tensor, Tensor]:
    """Decode UDP "combined" maps (B, K*3, H, W): disk maps blurred (kernel 2*size+1), their
    maxima moved by the predicted offsets (scaled by ``radius_factor * max(W, H)``).

    Returns:
        locs (B, K, 2) in heatmap pixels, scores (B, K) from the blurred disk maps.
    """
    batch, channels, height, width = heatmaps.shape
    maps = heatmaps.reshape(batch, channels // 3, 3, height, width)
    # OpenCV's blur (equal to mmpose's bit for bit) runs on the CPU: CUDA maps go through host
    # memory for it.
    disks = blur_reflect_border(maps[:, :, 0].reshape(-1, height, width).cpu().numpy(),
                                2 * blur_kernel_size + 1)
    disks = torch.from_numpy(disks).reshape(maps.shape[:2] + disks.shape[1:]).to(maps.device)
    locs, scores = heatmap_argmax(disks)
    radius = radius_factor * max(width, height)
    index = (locs[..., 0] + locs[..., 1] * width).long()
    index = index + height * width * torch.arange(channels // 3, device=locs.device)
    # Wrapping indices (Python's negative indexing) for maxima at -1, as in the reference.
    per_instance = channels // 3 * height * width
    index = index % per_instance
    offsets = torch.stack([maps[:, :, axis].reshape(batch, per_instance).gather(1, index)
                           for axis in (1, 2)], dim=-1)
    return locs + offsets.to(locs.dtype) * radius, scores
