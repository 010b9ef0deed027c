"""OpenCV's Gaussian blur (``sigma=0``: sigma derived from the kernel size) of many heatmaps in
one call, equal bit for bit to blurring each map alone, as mmpose's decoders do.

Shape legend: N maps, heatmap size [W, H].

The maps are stacked vertically into one tall single-channel image. Every row then has the
width of one map, so OpenCV runs the same vector and scalar code on every pixel as for a single
map; stacking the maps as channels instead changes which pixels fall into the scalar tail of a
row and with it the last bits (measured on maps of [W, H] = [5, 7]; OpenCV 5's Python binding
also takes at most 128 channels). Rows added between the maps give each one the border it has
alone, and the blur of a map's own rows reads nothing beyond them.
"""
from typing import Tuple

import cv2
import numpy as np


def _blur_stacked(maps: np.ndarray, kernel_size: int) -> np.ndarray:
    """Blur (N, H', W') float32 maps stacked into one (N * H', W') image."""
    if maps.size == 0:
        return maps.copy()
    num_maps, height, width = maps.shape
    tall = np.ascontiguousarray(maps, dtype=np.float32).reshape(num_maps * height, width)
    return cv2.GaussianBlur(tall, (kernel_size, kernel_size), 0).reshape(maps.shape)


def blur_zero_border(maps: np.ndarray, kernel_size: int) -> np.ndarray:
    """Blur with zeros beyond the border: each map is padded with ``kernel_size // 2`` zeros on
    every side, blurred and cropped back, as in mmpose's DARK and DARK-UDP decoding.

    Args:
        maps: (N, H, W) float32.
        kernel_size: odd kernel size.
    Returns:
        (N, H, W) float32.
    """
    num_maps, height, width = maps.shape
    pad = kernel_size // 2
    padded = np.zeros((num_maps, height + 2 * pad, width + 2 * pad), dtype=np.float32)
    padded[:, pad:pad + height, pad:pad + width] = maps
    return _blur_stacked(padded, kernel_size)[:, pad:pad + height, pad:pad + width]


def reflect_101(index: np.ndarray, length: int) -> np.ndarray:
    """Fold indices into ``[0, length)`` by mirroring without repeating the edge (OpenCV's
    BORDER_REFLECT_101, repeated for indices more than one length away)."""
    if length == 1:
        return np.zeros_like(index)
    period = 2 * (length - 1)
    index = np.abs(index) % period
    return np.where(index >= length, period - index, index)


def blur_reflect_border(maps: np.ndarray, kernel_size: int) -> np.ndarray:
    """Blur with OpenCV's default border (BORDER_REFLECT_101), as mmpose's UDP "combined"
    decoding blurs its disk maps in place.

    Only the rows are mirrored here (each map's rows beyond its top and bottom edge); OpenCV
    mirrors the columns itself, as for a single map.

    Args:
        maps: (N, H, W) float32 with H >= 2 (OpenCV blurs a one-row image along its row only).
        kernel_size: odd kernel size.
    Returns:
        (N, H, W) float32.
    """
    height = maps.shape[1]
    pad = kernel_size // 2
    rows = reflect_101(np.arange(-pad, height + pad), height)
    return _blur_stacked(maps[:, rows], kernel_size)[:, pad:pad + height]


def blur_with_max_factor(maps: np.ndarray, kernel_size: int) -> Tuple[np.ndarray, np.ndarray]:
    """Zero-border blur and the factor that gives each blurred map the maximum of its original.

    DARK's modulation is ``blurred * factor``; callers apply the factor to the few samples they
    read (the same float32 product per sample as scaling whole maps). Maps whose blur has the
    maximum 0 get an infinite or NaN factor, as in mmpose.

    Args:
        maps: (N, H, W) float32.
    Returns:
        blurred (N, H, W) float32 and factor (N,) float32.
    """
    blurred = blur_zero_border(maps, kernel_size)
    if maps.size == 0:
        return blurred, np.zeros(len(maps), dtype=np.float32)
    with np.errstate(divide='ignore', invalid='ignore'):
        factor = maps.max(axis=(1, 2)) / blurred.max(axis=(1, 2))
    return blurred, factor
