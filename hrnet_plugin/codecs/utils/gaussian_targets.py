"""Heatmap targets of top-down pose estimation, for all instances and keypoints at once.

Shape legend: N instances, K keypoints, heatmap size [W, H].

Each function takes keypoints already in heatmap coordinates and returns
``(heatmaps (K, H, W) float32, keypoint_weights (N, K) float32)``; the heatmap of a keypoint is
the pixel-wise maximum over instances. A keypoint with visibility < 0.5 draws nothing (its
weight keeps the given visibility), and a visible keypoint whose Gaussian support lies entirely
outside the heatmap draws nothing and gets weight 0.

Three variants:
* ``msra_gaussian_heatmaps`` (Xiao et al., "Simple Baselines", ECCV 2018; HRNet): a Gaussian
  centred on the keypoint rounded to the nearest pixel, truncated to a (2*3*sigma+1) window.
* ``unbiased_gaussian_heatmaps`` (Zhang et al., "Distribution-Aware Coordinate Representation",
  CVPR 2020, DARK): the Gaussian centred on the exact sub-pixel keypoint, untruncated.
* ``udp_gaussian_heatmaps`` (Huang et al., "The Devil is in the Details: Delving into Unbiased
  Data Processing", CVPR 2020, UDP): sub-pixel centre, truncated to the window around the
  rounded keypoint.
"""
from typing import Sequence, Tuple, Union

import numpy as np

Sigma = Union[float, Sequence[float], np.ndarray]


def _per_instance_sigma(sigma: Sigma, num_instances: int) -> np.ndarray:
    """Sigma as an (N,) float array."""
    sigma = np.asarray(sigma, dtype=np.float64)
    if sigma.ndim == 0:
        return np.full(num_instances, float(sigma))
    if sigma.shape != (num_instances,):
        raise ValueError(f'sigma must be a scalar or one value per instance ({num_instances}), '
                         f'got shape {sigma.shape}')
    return sigma


def check_keypoints(keypoints: np.ndarray, keypoints_visible: np.ndarray) -> None:
    """Raise a ValueError naming the array whose shape does not fit (N, K, 2) / (N, K)."""
    if keypoints.ndim != 3 or keypoints.shape[-1] < 2:
        raise ValueError(f'keypoints must have shape (N, K, 2), got {keypoints.shape}')
    if keypoints_visible.shape != keypoints.shape[:2]:
        raise ValueError(f'keypoints_visible must have shape {keypoints.shape[:2]} (N, K) '
                         f'to match keypoints {keypoints.shape}, got {keypoints_visible.shape}')


def _usable(xy: np.ndarray) -> np.ndarray:
    """(N, K) whether keypoints (N, K, 2) have finite coordinates small enough for integer
    window arithmetic: any other is outside every heatmap and is not drawn (mmpose reaches the
    same through undefined float-to-int casts)."""
    return (np.abs(xy) < 2.0**62).all(axis=-1)


def _windowed_heatmaps(heatmap_size: Tuple[int, int], keypoints: np.ndarray,
                       keypoints_visible: np.ndarray, sigma: Sigma,
                       subpixel_centre: bool) -> Tuple[np.ndarray, np.ndarray]:
    """Gaussians truncated to the window ``[round(mu) - 3 sigma, round(mu) + 3 sigma]``.

    The window (its integer bounds ``left``/``right``) and the sampling grid follow the
    original HRNet target generator: a Gaussian patch of ``2*radius+1`` samples whose centre
    sample ``x0 = (2*radius+1) // 2`` lands on ``left + x0``. With ``subpixel_centre`` the centre
    moves by the rounding residual (UDP).
    """
    check_keypoints(keypoints, keypoints_visible)
    num_instances, num_keypoints = keypoints.shape[:2]
    width, height = heatmap_size
    sigma = _per_instance_sigma(sigma, num_instances)[:, None, None]    # (N, 1, 1)
    radius = sigma * 3
    size = 2 * radius + 1
    centre = size // 2                                                  # (N, 1, 1)

    usable = _usable(keypoints[..., :2])                                # (N, K)
    xy = np.where(usable[..., None], keypoints[..., :2], 0)
    # astype(int64) truncates towards zero; kept so edge cases round as the reference does.
    mu = (xy + 0.5).astype(np.int64)                                    # (N, K, 2)
    low = (mu - radius).astype(np.int64)                                # (N, K, 2) left, top
    high = (mu + radius + 1).astype(np.int64)                           # (N, K, 2) right, bottom
    visible = keypoints_visible >= 0.5
    outside = ((low[..., 0] >= width) | (low[..., 1] >= height)
               | (high[..., 0] < 0) | (high[..., 1] < 0) | ~usable)
    weights = keypoints_visible.astype(np.float32, copy=True)
    weights[visible & outside] = 0
    drawn = visible & ~outside                                          # (N, K)

    centre_xy = np.broadcast_to(centre, xy.shape).astype(np.float64)    # (N, K, 2)
    if subpixel_centre:
        centre_xy = centre_xy + (xy - mu)

    def axis_profile(axis: int, length: int) -> np.ndarray:
        """1-D Gaussian profile along one axis, zero outside the window: (N, K, length)."""
        pixels = np.arange(length)
        offset = pixels - low[..., axis, None]                          # index in the patch
        inside = (pixels >= low[..., axis, None]) & (pixels < high[..., axis, None])
        inside &= offset < np.ceil(size)                                # patch length
        d = offset.astype(np.float32) - centre_xy[..., axis, None].astype(np.float32)
        return np.where(inside, d * d, np.inf).astype(np.float32)

    denom = (2 * sigma**2).astype(np.float32)                           # (N, 1, 1)
    gx = np.exp(-axis_profile(0, width) / denom)                        # (N, K, W)
    gy = np.exp(-axis_profile(1, height) / denom) * drawn[..., None]    # (N, K, H)
    return _outer_max(gy, gx), weights


def _outer_max(gy: np.ndarray, gx: np.ndarray) -> np.ndarray:
    """Separable Gaussians ``gy (N, K, H) x gx (N, K, W)``, maximum over instances: (K, H, W)."""
    gauss = gy[..., :, None] * gx[..., None, :]                         # (N, K, H, W)
    return gauss.max(axis=0, initial=0).astype(np.float32)


def msra_gaussian_heatmaps(heatmap_size: Tuple[int, int], keypoints: np.ndarray,
                           keypoints_visible: np.ndarray,
                           sigma: Sigma) -> Tuple[np.ndarray, np.ndarray]:
    """MSRA/HRNet Gaussian targets (integer centre, truncated window).

    Args:
        heatmap_size: [W, H].
        keypoints: (N, K, 2) in heatmap coordinates.
        keypoints_visible: (N, K).
        sigma: Gaussian sigma in heatmap pixels, scalar or (N,).
    """
    return _windowed_heatmaps(heatmap_size, keypoints, keypoints_visible, sigma, False)


def udp_gaussian_heatmaps(heatmap_size: Tuple[int, int], keypoints: np.ndarray,
                          keypoints_visible: np.ndarray,
                          sigma: float) -> Tuple[np.ndarray, np.ndarray]:
    """UDP Gaussian targets (sub-pixel centre, truncated window). Arguments as above."""
    return _windowed_heatmaps(heatmap_size, keypoints, keypoints_visible, sigma, True)


def unbiased_gaussian_heatmaps(heatmap_size: Tuple[int, int], keypoints: np.ndarray,
                               keypoints_visible: np.ndarray,
                               sigma: float) -> Tuple[np.ndarray, np.ndarray]:
    """DARK targets: untruncated Gaussian at the sub-pixel keypoint. Arguments as above."""
    check_keypoints(keypoints, keypoints_visible)
    width, height = heatmap_size
    radius = sigma * 3
    usable = _usable(keypoints[..., :2])
    xy = np.where(usable[..., None], keypoints[..., :2], 0)
    visible = keypoints_visible >= 0.5
    outside = ((xy[..., 0] - radius >= width) | (xy[..., 1] - radius >= height)
               | (xy[..., 0] + radius + 1 < 0) | (xy[..., 1] + radius + 1 < 0) | ~usable)
    weights = keypoints_visible.astype(np.float32, copy=True)
    weights[visible & outside] = 0
    drawn = visible & ~outside

    x = np.arange(width, dtype=np.float32)
    y = np.arange(height, dtype=np.float32)
    gx = np.exp(-(x - xy[..., 0, None]) ** 2 / (2 * sigma**2))         # (N, K, W)
    gy = np.exp(-(y - xy[..., 1, None]) ** 2 / (2 * sigma**2))         # (N, K, H)
    return _outer_max(gy.astype(np.float32) * drawn[..., None], gx.astype(np.float32)), weights


def udp_offset_heatmaps(heatmap_size: Tuple[int, int], keypoints: np.ndarray,
                        keypoints_visible: np.ndarray,
                        radius_factor: float) -> Tuple[np.ndarray, np.ndarray]:
    """UDP "combined" targets: per keypoint a binary disk plus x/y offset fields.

    Returns heatmaps (K*3, H, W), channels ordered (disk, x_offset, y_offset) per keypoint;
    offsets are ``(keypoint - pixel) / radius`` with ``radius = radius_factor * max(W, H)``.
    Overlapping instances: the last visible instance of a keypoint writes its maps. A visible
    keypoint with a non-finite coordinate is not drawn and gets weight 0.
    """
    check_keypoints(keypoints, keypoints_visible)
    num_keypoints = keypoints.shape[1]
    width, height = heatmap_size
    radius = radius_factor * max(width, height)
    heatmaps = np.zeros((num_keypoints, 3, height, width), dtype=np.float32)
    unusable = (keypoints_visible >= 0.5) & ~np.isfinite(keypoints[..., :2]).all(axis=-1)
    visible = (keypoints_visible >= 0.5) & ~unusable
    # index of the last visible instance per keypoint (-1: none)
    last = np.where(visible.any(0), visible.shape[0] - 1 - np.argmax(visible[::-1], axis=0), -1)
    has = last >= 0
    mu = keypoints[last[has], np.flatnonzero(has), :2]                  # (K', 2)
    x_off = (mu[:, 0, None, None] - np.arange(width)[None, None, :]) / radius
    y_off = (mu[:, 1, None, None] - np.arange(height)[None, :, None]) / radius
    x_off, y_off = np.broadcast_arrays(x_off, y_off)
    heatmaps[has, 0] = (x_off**2 + y_off**2 <= 1).astype(np.float32)
    heatmaps[has, 1] = x_off
    heatmaps[has, 2] = y_off
    weights = keypoints_visible.astype(np.float32, copy=True)
    weights[unusable] = 0
    return heatmaps.reshape(num_keypoints * 3, height, width), weights
