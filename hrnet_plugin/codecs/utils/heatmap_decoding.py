"""Batched heatmap decoding in torch, on the heatmaps' device, with no per-instance loop.

Shape legend: B instances, K keypoints, heatmap size [W, H].

All functions take ``heatmaps`` of shape (B, K, H, W) and keypoint locations ``locs`` (B, K, 2)
in heatmap pixels. Sub-pixel refinements:

* ``refine_quarter_offset``: move a quarter pixel towards the higher neighbour (MSRA/HRNet).
* ``refine_dark``: one Newton step on the log of the blurred heatmap, from the second-order
  Taylor expansion around the maximum (Zhang et al., DARK, CVPR 2020).
* ``refine_dark_udp``: the same step with edge padding and a regularised Hessian, as used with
  UDP (Huang et al., CVPR 2020).
"""
from typing import Tuple

import cv2
import torch
import torch.nn.functional as F
from torch import Tensor


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


def gaussian_kernel_1d(kernel_size: int, device: torch.device) -> Tensor:
    """OpenCV's Gaussian kernel for ``sigma=0`` (its size-derived sigma and small-size tables)."""
    if kernel_size % 2 != 1 or kernel_size < 1:
        raise ValueError(f'blur kernel size must be a positive odd integer, got {kernel_size}')
    kernel = cv2.getGaussianKernel(kernel_size, 0).ravel()
    return torch.as_tensor(kernel, dtype=torch.float32, device=device)


def blur_matrix(length: int, kernel: Tensor, padding_mode: str) -> Tensor:
    """(length, length) matrix M with ``M @ x`` = the 1-D convolution of ``x`` with ``kernel``.

    Row i holds the kernel taps at the source samples ``i + t - pad``; samples beyond the border
    are zero ('zeros') or mirrored without repeating the edge ('reflect'). As a banded matrix
    product the blur runs as one GEMM per axis, far faster than a single-channel convolution.
    """
    size = kernel.numel()
    pad = size // 2
    if padding_mode == 'reflect' and pad >= length:
        raise ValueError(f'reflect padding of {pad} needs maps longer than {pad}, got {length}')
    rows = torch.arange(length, device=kernel.device)[:, None].expand(length, size)
    src = rows + torch.arange(size, device=kernel.device)[None] - pad
    if padding_mode == 'reflect':
        src = src.abs()
        src = torch.where(src > length - 1, 2 * (length - 1) - src, src)
    valid = (src >= 0) & (src < length)
    matrix = torch.zeros(length, length, dtype=kernel.dtype, device=kernel.device)
    matrix.index_put_((rows[valid], src[valid]), kernel.expand(length, size)[valid],
                      accumulate=True)
    return matrix


def gaussian_blur(heatmaps: Tensor, kernel_size: int, padding_mode: str = 'zeros') -> Tensor:
    """Separable Gaussian blur of every map: ``M_h @ map @ M_w^T``.

    Args:
        padding_mode: 'zeros' (values beyond the border are 0) or 'reflect' (mirrored without
            repeating the edge, OpenCV's default border).
    Returns:
        Blurred maps (B, K, H, W), float32.
    """
    height, width = heatmaps.shape[-2:]
    kernel = gaussian_kernel_1d(kernel_size, heatmaps.device)
    rows = blur_matrix(height, kernel, padding_mode)
    cols = blur_matrix(width, kernel, padding_mode)
    return rows @ heatmaps.to(torch.float32) @ cols.T


def blur_keep_max(heatmaps: Tensor, kernel_size: int) -> Tensor:
    """Zero-padded blur, rescaled so each map keeps its original maximum (DARK's smoothing)."""
    blurred = gaussian_blur(heatmaps, kernel_size)
    scale = heatmaps.amax(dim=(-2, -1), keepdim=True) / blurred.amax(dim=(-2, -1), keepdim=True)
    return blurred * scale


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


def _newton_offset(dx: Tensor, dy: Tensor, dxx: Tensor, dxy: Tensor, dyy: Tensor,
                   eps: float = 0.0) -> Tuple[Tensor, Tensor]:
    """``-inv(H + eps I) @ grad`` for the 2x2 Hessian H, elementwise; NaN where H is singular."""
    dxx, dyy = dxx + eps, dyy + eps
    det = dxx * dyy - dxy * dxy
    return -(dyy * dx - dxy * dy) / det, -(dxx * dy - dxy * dx) / det


def refine_dark(locs: Tensor, heatmaps: Tensor, blur_kernel_size: int) -> Tensor:
    """DARK refinement; maxima closer than 2 pixels to the border are left as they are."""
    height, width = heatmaps.shape[-2:]
    blurred = blur_keep_max(heatmaps, blur_kernel_size)
    x, y = locs[..., 0].long(), locs[..., 1].long()

    def at(ox: int, oy: int) -> Tensor:
        # log of the blurred map, taken at the few samples the Newton step reads
        return _gather(blurred, x + ox, y + oy).clamp(min=1e-10).log().double()

    c = at(0, 0)
    dx = 0.5 * (at(1, 0) - at(-1, 0))
    dy = 0.5 * (at(0, 1) - at(0, -1))
    dxx = 0.25 * (at(2, 0) - 2 * c + at(-2, 0))
    dxy = 0.25 * (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1))
    dyy = 0.25 * (at(0, 2) - 2 * c + at(0, -2))
    off_x, off_y = _newton_offset(dx, dy, dxx, dxy, dyy)
    ok = (x > 1) & (x < width - 2) & (y > 1) & (y < height - 2) & (dxx * dyy - dxy * dxy != 0)
    offset = torch.stack((off_x, off_y), dim=-1).masked_fill(~ok[..., None], 0)
    return (locs.double() + offset).to(locs.dtype)


def refine_dark_udp(locs: Tensor, heatmaps: Tensor, blur_kernel_size: int) -> Tensor:
    """DARK refinement as used with UDP: log of the blurred map clipped to [1e-3, 50], one
    pixel of edge padding, and the Hessian regularised by float32 epsilon."""
    batch, num_keypoints, height, width = heatmaps.shape
    blurred = blur_keep_max(heatmaps, blur_kernel_size)
    padded = F.pad(blurred, (1, 1, 1, 1), mode='replicate')           # (B, K, H+2, W+2)
    row = width + 2
    per_instance = padded[0].numel()
    flat = padded.reshape(batch, per_instance)
    index = (locs[..., 0] + 1 + (locs[..., 1] + 1) * row).long()
    index = index + (row * (height + 2)) * torch.arange(num_keypoints, device=locs.device)

    def at(offset: int) -> Tensor:
        # A maximum at -1 (empty heatmap) reads neighbours across rows/maps; indices wrap like
        # Python's negative indexing so such keypoints move exactly as in the reference.
        return flat.gather(1, (index + offset) % per_instance).clamp(1e-3, 50.).log().double()

    c, x1, x1_ = at(0), at(1), at(-1)
    y1, y1_ = at(row), at(-row)
    dx = 0.5 * (x1 - x1_)
    dy = 0.5 * (y1 - y1_)
    dxx = x1 - 2 * c + x1_
    dyy = y1 - 2 * c + y1_
    dxy = 0.5 * (at(row + 1) - x1 - y1 + 2 * c - x1_ - y1_ + at(-row - 1))
    off_x, off_y = _newton_offset(dx, dy, dxx, dxy, dyy, eps=float(torch.finfo(torch.float32).eps))
    return (locs.double() + torch.stack((off_x, off_y), dim=-1)).to(locs.dtype)


def decode_udp_combined(heatmaps: Tensor, blur_kernel_size: int,
                        radius_factor: float) -> Tuple[Tensor, Tensor]:
    """Decode UDP "combined" maps (B, K*3, H, W): disk maps blurred (kernel 2*size+1), their
    maxima moved by the predicted offsets (scaled by ``radius_factor * max(W, H)``).

    Returns:
        locs (B, K, 2) in heatmap pixels, scores (B, K) from the blurred disk maps.
    """
    batch, channels, height, width = heatmaps.shape
    maps = heatmaps.view(batch, channels // 3, 3, height, width)
    disks = gaussian_blur(maps[:, :, 0].contiguous(), 2 * blur_kernel_size + 1, 'reflect')
    locs, scores = heatmap_argmax(disks)
    radius = radius_factor * max(width, height)
    index = (locs[..., 0] + locs[..., 1] * width).long()
    index = index + height * width * torch.arange(channels // 3, device=locs.device)
    # Wrapping indices (Python's negative indexing) for maxima at -1, as in the reference.
    index = index % (index.shape[-1] * height * width)
    offsets = torch.stack([maps[:, :, axis].reshape(batch, -1).gather(1, index)
                           for axis in (1, 2)], dim=-1)
    return locs + offsets.to(locs.dtype) * radius, scores
