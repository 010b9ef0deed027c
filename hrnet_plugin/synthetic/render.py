"""Drawing figures: a pose rasterised into part labels, then painted with its appearance.

Drawing uses OpenCV with ``SHIFT`` fractional bits, so joints are placed to 1/16 pixel. Array
shapes: H, W image height and width, N figures.
"""
import math
from typing import Sequence, Tuple

import cv2
import numpy as np

from .appearance import (
    BOTTOM,
    EMBLEM,
    FEATURE,
    HAIR,
    NOSE_TIP,
    OUTLINE,
    SHOE,
    SKIN,
    TOP,
    Appearance,
)
from .keypoints import ARMS, L_EAR, L_EYE, L_HIP, LEGS, NOSE, R_EAR, R_EYE, R_HIP
from .pose import HEAD, HEAD_TOP, NECK, TORSO, Pose

SHIFT = 4  # OpenCV drawing with 4 fractional bits: joints are placed to 1/16 pixel
_ONE = 1 << SHIFT


def _fixed(point: np.ndarray) -> Tuple[int, int]:
    """xy in pixels -> OpenCV fixed-point coordinates for ``shift=SHIFT``."""
    x, y = point.tolist()
    return math.floor(x * _ONE + 0.5), math.floor(y * _ONE + 0.5)


def _segment(labels: np.ndarray, a: np.ndarray, b: np.ndarray, width: float, label: int,
             outline: int) -> None:
    """Draws a round-capped limb from ``a`` to ``b`` with an outline around it."""
    width_px = max(1, int(round(width)))
    cv2.line(labels, _fixed(a), _fixed(b), OUTLINE, width_px + 2 * outline, cv2.LINE_8, SHIFT)
    cv2.line(labels, _fixed(a), _fixed(b), label, width_px, cv2.LINE_8, SHIFT)


def _ellipse(labels: np.ndarray, center: np.ndarray, axes: Tuple[float, float], angle: float,
             label: int, outline: int) -> None:
    """Draws a filled ellipse (``axes``: semi-axes in pixels), outlined unless ``outline`` is 0."""
    layers = ((outline, OUTLINE), (0, label)) if outline else ((0, label),)
    for extra, value in layers:
        size = (int(round((axes[0] + extra) * _ONE)), int(round((axes[1] + extra) * _ONE)))
        cv2.ellipse(labels, _fixed(center), size, angle, 0, 360, value, -1, cv2.LINE_8, SHIFT)


def render_labels(pose: Pose, appearance: Appearance, image_size: Tuple[int, int]) -> np.ndarray:
    """Rasterises one figure into a part-label map, back to front.

    Order: legs, torso with its front marks, arms, neck, head. Each part gets an outline, so a
    limb crossing the torso stays visible.

    Args:
        pose: Figure in image coordinates.
        appearance: Clothing options (the palette is not used here).
        image_size: (W, H).

    Returns:
        (H, W) uint8 part labels, BACKGROUND where the figure is absent.
    """
    labels = np.zeros((image_size[1], image_size[0]), np.uint8)
    p, w, scale = pose.points, pose.widths, pose.height
    outline = max(1, int(round(0.012 * scale)))

    for hip, knee, ankle in LEGS:
        _segment(labels, p[hip], p[knee], w['thigh'], BOTTOM, outline)
        _segment(labels, p[knee], p[ankle], w['shin'], SKIN if appearance.shorts else BOTTOM,
                 outline)
        shin = p[ankle] - p[knee]
        shin_dir = shin / max(np.linalg.norm(shin), 1e-6)
        # Shoes lie across the shin, as feet seen from the front or the back do.
        angle = float(np.degrees(np.arctan2(-shin_dir[0], shin_dir[1])))
        _ellipse(labels, p[ankle] + shin_dir * 0.025 * scale,
                 (0.045 * scale, 0.024 * scale), angle, SHOE, outline)

    corners = np.array([_fixed(c) for c in p[TORSO]], np.int32)
    cv2.polylines(labels, [corners], True, OUTLINE, 2 * outline + 1, cv2.LINE_8, SHIFT)
    cv2.fillConvexPoly(labels, corners, TOP, cv2.LINE_8, SHIFT)
    hips = (p[L_HIP] + p[R_HIP]) / 2
    down = (hips - p[NECK]) / max(np.linalg.norm(hips - p[NECK]), 1e-6)
    across = np.array([-down[1], down[0]])
    if pose.front:
        # V-neck collar: skin on the chest is only visible from the front.
        collar = np.array([_fixed(c) for c in (
            p[NECK] + across * 0.045 * scale + down * 0.005 * scale,
            p[NECK] - across * 0.045 * scale + down * 0.005 * scale,
            p[NECK] + down * 0.09 * scale)], np.int32)
        cv2.fillConvexPoly(labels, collar, SKIN, cv2.LINE_8, SHIFT)
        chest = p[NECK] + down * 0.13 * scale
        if appearance.emblem == 1:
            cv2.circle(labels, _fixed(chest), int(0.035 * scale * _ONE), EMBLEM, -1, cv2.LINE_8,
                       SHIFT)
        elif appearance.emblem == 2:
            square = np.array([_fixed(chest + 0.03 * scale * (sx * across + sy * down))
                               for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))], np.int32)
            cv2.fillConvexPoly(labels, square, EMBLEM, cv2.LINE_8, SHIFT)

    for shoulder, elbow, wrist in ARMS:
        _segment(labels, p[shoulder], p[elbow], w['upper_arm'], TOP, outline)
        _segment(labels, p[elbow], p[wrist], w['forearm'],
                 TOP if appearance.long_sleeves else SKIN, outline)
        forearm = p[wrist] - p[elbow]
        hand_r = 0.65 * w['forearm']
        hand = p[wrist] + forearm / max(np.linalg.norm(forearm), 1e-6) * 0.3 * hand_r
        _ellipse(labels, hand, (hand_r, hand_r), 0.0, SKIN, outline)

    head_r = float(np.linalg.norm(p[HEAD_TOP] - p[HEAD]))
    up = (p[HEAD_TOP] - p[HEAD]) / max(head_r, 1e-6)
    head_angle = float(np.degrees(np.arctan2(up[0], -up[1])))  # the face's x axis vs the image's
    _segment(labels, p[NECK], p[HEAD], w['neck'], SKIN, outline)
    if appearance.long_hair:
        _ellipse(labels, p[HEAD] - up * 0.55 * head_r, (1.02 * head_r, 1.45 * head_r), head_angle,
                 HAIR, outline)
    for ear in (p[L_EAR], p[R_EAR]):
        _ellipse(labels, ear, (0.2 * head_r, 0.24 * head_r), head_angle, SKIN, outline)
    if pose.front:
        _ellipse(labels, p[HEAD] + up * 0.1 * head_r, (0.86 * head_r, 1.02 * head_r), head_angle,
                 HAIR, outline)
        _ellipse(labels, p[HEAD] - up * 0.12 * head_r, (0.78 * head_r, 0.86 * head_r), head_angle,
                 SKIN, 0)
        eye_r = max(0.6, 0.12 * head_r)
        for eye in (p[L_EYE], p[R_EYE]):
            cv2.circle(labels, _fixed(eye), int(eye_r * _ONE), FEATURE, -1, cv2.LINE_8, SHIFT)
        cv2.circle(labels, _fixed(p[NOSE]), int(max(0.6, 0.11 * head_r) * _ONE), NOSE_TIP, -1,
                   cv2.LINE_8, SHIFT)
        mouth = p[NOSE] - up * 0.27 * head_r
        side = np.array([-up[1], up[0]]) * 0.2 * head_r
        cv2.line(labels, _fixed(mouth - side), _fixed(mouth + side), FEATURE,
                 max(1, int(round(0.07 * head_r))), cv2.LINE_8, SHIFT)
    else:
        _ellipse(labels, p[HEAD], (0.84 * head_r, 1.0 * head_r), head_angle, HAIR, outline)
    return labels


def _cloth_pattern(texture: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Brightness factor of a striped or checked cloth on a pixel grid.

    Args:
        texture: (4,) kind (1 stripes, 2 checks), period, angle, contrast (see
            :class:`Appearance`).
        xs: (1, w) pixel x coordinates.
        ys: (h, 1) pixel y coordinates.

    Returns:
        (h, w) float32 factors around 1.
    """
    kind, period, angle, contrast = texture.tolist()
    # Python-float coefficients keep the arithmetic in float32.
    cos, sin = math.cos(angle) / period, math.sin(angle) / period
    u = np.floor(xs * cos + ys * sin)
    if kind == 2:
        u += np.floor(ys * cos - xs * sin)
    return 1.0 + contrast * (u % 2 - 0.5)


_SHADES = np.linspace(0.4, 1.7, 66)  # brightness factors, in steps of 0.02


def composite(image: np.ndarray, labels: np.ndarray, appearance: Appearance) -> None:
    """Paints a figure's label map onto ``image`` in place with its colours, patterns and shading.

    Args:
        image: (H, W, 3) uint8 BGR image.
        labels: (H, W) uint8 part labels of the figure.
        appearance: The figure's palette, cloth patterns and shading.
    """
    x, y, w, h = cv2.boundingRect(labels)
    if w == 0:
        return
    # Work on the figure's bounding box only: most of the image is untouched.
    window = (slice(y, y + h), slice(x, x + w))
    crop = labels[window]
    xs = np.arange(x, x + w, dtype=np.float32)[None, :]
    ys = np.arange(y, y + h, dtype=np.float32)[:, None]
    # A linear light gradient across the figure gives it some volume and varies its contrast.
    direction, strength, brightness = appearance.shading.tolist()
    gain = brightness * strength / max(w, h)
    factor = brightness + ((xs - x - w / 2) * (gain * math.cos(direction))
                           + (ys - y - h / 2) * (gain * math.sin(direction)))
    for label, texture in zip((TOP, BOTTOM), appearance.textures):
        if texture[0] != 0:
            factor = np.where(crop == label, factor * _cloth_pattern(texture, xs, ys), factor)
    # Colour = palette colour x brightness factor. The factor is quantised to _SHADES levels so
    # that the three-channel work is a single lookup in a small pre-shaded palette.
    shade = np.rint((factor - _SHADES[0]) / (_SHADES[1] - _SHADES[0]))
    shade = np.clip(shade, 0, len(_SHADES) - 1).astype(np.intp)
    shaded = np.clip(appearance.palette[:, None, :] * _SHADES[:, None], 0, 255).astype(np.uint8)
    painted = shaded.reshape(-1, 3)[crop.astype(np.intp) * len(_SHADES) + shade]
    np.copyto(image[window], painted, where=(crop > 0)[..., None])


def draw_figures(image: np.ndarray, poses: Sequence[Pose],
                 appearances: Sequence[Appearance]) -> np.ndarray:
    """Draws figures onto ``image`` in place, in order (later figures cover earlier ones).

    Args:
        image: (H, W, 3) uint8 BGR image, e.g. a background.
        poses: N figures in image coordinates.
        appearances: The N figures' appearances.

    Returns:
        (N, H, W) bool pixels each figure drew, including those later figures cover.
    """
    if len(poses) != len(appearances):
        raise ValueError(f'{len(poses)} poses but {len(appearances)} appearances')
    height, width = image.shape[:2]
    masks = np.zeros((len(poses), height, width), bool)
    for mask, pose, appearance in zip(masks, poses, appearances):
        labels = render_labels(pose, appearance, (width, height))
        composite(image, labels, appearance)
        mask[...] = labels > 0
    return masks
