"""Backgrounds: cluttered scenes for the figures to stand in."""
from typing import Tuple

import cv2
import numpy as np

from .appearance import random_colors


def render_background(rng: np.random.Generator, image_size: Tuple[int, int]) -> np.ndarray:
    """Draws a cluttered background: colour gradient, blotches, pixel noise, shapes and lines.

    The smooth part is computed on a coarse grid and upsampled, the clutter is drawn by OpenCV and
    the rest is whole-image arithmetic, so no Python loop runs over pixels. The background is
    sometimes blurred and its contrast lowered, the way an out-of-focus scene looks behind people.

    Args:
        rng: Random generator.
        image_size: (W, H).

    Returns:
        (H, W, 3) uint8 BGR image.
    """
    width, height = image_size
    # Gradient plus blotches on a coarse grid; both are smooth, so upsampling loses nothing.
    grid_h, grid_w = (int(n) for n in rng.integers(2, 9, 2))
    gy, gx = np.mgrid[0:grid_h, 0:grid_w] / np.array([grid_h - 1, grid_w - 1])[:, None, None]
    angle = rng.uniform(0, 2 * np.pi)
    t = gx * np.cos(angle) + gy * np.sin(angle)
    t = ((t - t.min()) / max(float(np.ptp(t)), 1e-6))[..., None]
    colors = random_colors(rng, 2, (0.0, 0.8), (0.15, 0.95)).astype(np.float64)
    coarse = colors[0] * (1 - t) + colors[1] * t
    coarse += rng.uniform(-1, 1, coarse.shape) * rng.uniform(10, 60)
    image = cv2.resize(np.clip(coarse, 0, 255).astype(np.uint8), (width, height),
                       interpolation=cv2.INTER_CUBIC)

    size = min(width, height)
    for _ in range(int(rng.integers(4, 16))):
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        thickness = int(rng.choice([-1, 1, 2, 3, int(rng.integers(4, max(5, size // 12)))]))
        kind = rng.integers(5)
        x, y = int(rng.integers(-size // 4, width)), int(rng.integers(-size // 4, height))
        if kind == 0:
            extent = rng.integers(4, size // 2, 2)
            cv2.rectangle(image, (x, y), (x + int(extent[0]), y + int(extent[1])), color, thickness)
        elif kind == 1:
            cv2.circle(image, (x, y), int(rng.integers(3, size // 4)), color, thickness)
        elif kind == 2:
            axes = tuple(int(a) for a in rng.integers(3, size // 4, 2))
            cv2.ellipse(image, (x, y), axes, float(rng.uniform(0, 180)), 0, 360, color, thickness)
        elif kind == 3:
            end = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.line(image, (x, y), end, color, max(thickness, 1), cv2.LINE_AA)
        else:
            points = rng.integers(0, (width, height), (int(rng.integers(3, 7)), 2)).astype(np.int32)
            cv2.polylines(image, [points], bool(rng.random() < 0.5), color, max(thickness, 1))
    if rng.random() < 0.6:
        image = cv2.GaussianBlur(image, (0, 0), float(rng.uniform(0.8, 2.5)))
    if rng.random() < 0.5:
        # Lower the contrast towards the mean colour, through a per-channel lookup table.
        mean = np.array(cv2.mean(image)[:3])
        levels = np.arange(256.0)[:, None]
        table = mean + (levels - mean) * rng.uniform(0.5, 1.0)
        image = cv2.LUT(image, np.clip(table, 0, 255).astype(np.uint8)[:, None, :])
    if rng.random() < 0.5:
        # Sensor-like grain, drawn at half resolution to halve its cost.
        grain = rng.normal(0, rng.uniform(3, 12), ((height + 1) // 2, (width + 1) // 2))
        grain = cv2.resize(grain.astype(np.float32), (width, height),
                           interpolation=cv2.INTER_NEAREST)
        image = np.clip(image + grain[..., None], 0, 255).astype(np.uint8)
    return image
