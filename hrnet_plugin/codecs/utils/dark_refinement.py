"""DARK's sub-pixel refinement (Zhang et al., "Distribution-Aware Coordinate Representation for
Human Pose Estimation", CVPR 2020) and its variant used with UDP (Huang et al., "The Devil is in
the Details", CVPR 2020), in numpy for all instances and keypoints at once.

Shape legend: B instances, K keypoints, heatmap size [W, H].

Both take the integer maxima ``locs`` (B, K, 2) float32 (x, y; -1 for maps whose maximum is
<= 0) and the heatmaps (B, K, H, W) float32, blur the maps (zero border, each rescaled to its
original maximum), take the log and move each maximum by one Newton step
``-inv(Hessian) @ gradient`` of finite differences.

Where the Hessian is nearly singular the step amplifies the last bits of its inputs without
bound (a blur differing from OpenCV's in the last bits moved keypoints on uniform-noise maps by
up to 0.57 px), so every operation follows mmpose's dtypes and order of evaluation: OpenCV's
blur (heatmap_blur), numpy's float32 log, float32 differences, numpy's LAPACK inverse and
numpy's matrix product. Only the samples a step reads are rescaled and logged: both are
elementwise, so the values equal those of whole maps.
"""
from typing import Callable

import numpy as np

from .heatmap_blur import blur_with_max_factor


def _modulated_samples(heatmaps: np.ndarray, blur_kernel_size: int
                       ) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Reader of the blurred, rescaled maps at (map index, y, x): ``blurred * factor``."""
    height, width = heatmaps.shape[-2:]
    blurred, factor = blur_with_max_factor(heatmaps.reshape(-1, height, width),
                                           blur_kernel_size)

    def read(map_index: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        return blurred[map_index, y, x] * factor[map_index]

    return read


def float32_determinant_is_nonzero(dxx: np.ndarray, dxy: np.ndarray,
                                   dyy: np.ndarray) -> np.ndarray:
    """``dxx * dyy - dxy**2 != 0`` as mmpose evaluates it on float32 scalars, elementwise.

    A float32 scalar's ``**`` calls libm's ``powf``, which rounds an inexact square to one of
    the two floats around it, not always the nearest (glibc 2.36: for 0.04% of all floats, one
    ulp away). Products within one ulp of an inexact square are rare; they are re-evaluated
    with the scalar power, the rest vectorized.
    """
    product = dxx * dyy
    square = dxy * dxy
    nonzero = product - square != 0
    near = ((product >= np.nextafter(square, -np.inf))
            & (product <= np.nextafter(square, np.inf))
            & (dxy.astype(np.float64)**2 != square))
    for i in np.flatnonzero(near):
        nonzero[i] = product[i] - dxy[i]**2 != 0
    return nonzero


def refine_dark(locs: np.ndarray, heatmaps: np.ndarray, blur_kernel_size: int) -> np.ndarray:
    """DARK: Newton step on the log of the blurred maps (floored at 1e-10).

    Maxima closer than 2 pixels to the border (and empty maps) stay where they are, as do
    those whose float32 Hessian determinant is 0. The step is computed in float32; the 2x2
    inverse by LAPACK in float64, rounded to float32 (numpy's ``inv`` of float32 matrices).

    Returns:
        Refined locs (B, K, 2) float32.
    """
    height, width = heatmaps.shape[-2:]
    refined = locs.reshape(-1, 2).astype(np.float32)
    x, y = refined.astype(np.int64).T
    inside = np.flatnonzero((x > 1) & (x < width - 2) & (y > 1) & (y < height - 2))
    x, y = x[inside], y[inside]
    read = _modulated_samples(heatmaps, blur_kernel_size)

    def at(dx: int, dy: int) -> np.ndarray:
        return np.log(np.maximum(read(inside, y + dy, x + dx), 1e-10))

    centre = at(0, 0)
    dx = 0.5 * (at(1, 0) - at(-1, 0))
    dy = 0.5 * (at(0, 1) - at(0, -1))
    dxx = 0.25 * (at(2, 0) - 2 * centre + at(-2, 0))
    dxy = 0.25 * (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1))
    dyy = 0.25 * (at(0, 2) - 2 * centre + at(0, -2))
    step = float32_determinant_is_nonzero(dxx, dxy, dyy)
    hessian = np.stack((dxx, dxy, dxy, dyy), axis=-1)[step].reshape(-1, 2, 2)
    gradient = np.stack((dx, dy), axis=-1)[step, :, None]                     # (M, 2, 1)
    refined[inside[step]] += (-np.linalg.inv(hessian) @ gradient)[..., 0]
    return refined.reshape(locs.shape)


def refine_dark_udp(locs: np.ndarray, heatmaps: np.ndarray, blur_kernel_size: int) -> np.ndarray:
    """DARK as used with UDP: log of the blurred maps clipped to [1e-3, 50], one pixel of edge
    padding, Hessian regularised by float32 epsilon on its diagonal; every maximum moves.

    The differences are float32; the regularised Hessian, its inverse and the step are float64
    (numpy promotes the float32 Hessian when adding the float64 identity); the step is
    subtracted from the float32 locations in float64 and rounded to float32.

    An empty map's maximum (-1, -1) reads the samples before its map's start in the instance's
    padded maps laid end to end, wrapping to the end of the last map (Python's negative
    indexing in mmpose), and moves by the step they give.

    Returns:
        Refined locs (B, K, 2) float32.
    """
    batch, num_keypoints, height, width = heatmaps.shape
    row = width + 2                                                 # padded map width
    per_map = row * (height + 2)
    # Flat index into the instance's padded maps laid end to end, in float32 as in mmpose.
    flat = locs[..., 0] + 1 + (locs[..., 1] + 1) * row
    flat = (flat + per_map * np.arange(num_keypoints)).astype(np.float32).astype(np.int64)
    first_map = np.arange(batch)[:, None] * num_keypoints
    read = _modulated_samples(heatmaps, blur_kernel_size)

    def at(offset: int) -> np.ndarray:
        keypoint, pixel = np.divmod((flat + offset) % (num_keypoints * per_map), per_map)
        padded_y, padded_x = np.divmod(pixel, row)
        # edge padding: a padded pixel repeats the nearest pixel of the map
        y = np.clip(padded_y - 1, 0, height - 1)
        x = np.clip(padded_x - 1, 0, width - 1)
        return np.log(np.clip(read(first_map + keypoint, y, x), 1e-3, 50.))

    centre, x1, x1_, y1, y1_ = at(0), at(1), at(-1), at(row), at(-row)
    dx = 0.5 * (x1 - x1_)
    dy = 0.5 * (y1 - y1_)
    dxx = x1 - 2 * centre + x1_
    dyy = y1 - 2 * centre + y1_
    dxy = 0.5 * (at(row + 1) - x1 - y1 + centre + centre - x1_ - y1_ + at(-row - 1))
    hessian = np.stack((dxx, dxy, dxy, dyy), axis=-1).reshape(-1, 2, 2)
    hessian = hessian + np.finfo(np.float32).eps * np.eye(2)                   # float64
    gradient = np.stack((dx, dy), axis=-1).reshape(-1, 2, 1)
    step = np.einsum('imn,ink->imk', np.linalg.inv(hessian), gradient)
    return (locs - step.reshape(locs.shape)).astype(np.float32)
