"""Scenes: figures placed over a background, drawn in order, and annotated as COCO persons.

Array shapes: K keypoints (17), N figures in an image, H, W image height and width in pixels.
Coordinates have pixel centres at integers (OpenCV's convention); a keypoint is inside the image
when ``0 <= x <= W - 1`` and ``0 <= y <= H - 1``.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmpose.structures.bbox import bbox_overlaps

from .appearance import sample_appearance
from .background import render_background
from .keypoints import L_EYE, NOSE, NUM_KEYPOINTS, R_EYE
from .pose import Pose, place_pose, sample_pose
from .render import draw_figures

# Annotation filters: a figure this hidden or this small is a distractor, not a labelled person.
MIN_VISIBLE_KEYPOINTS = 3
MIN_BOX_SIDE = 8


@dataclass(frozen=True)
class Instance:
    """One annotated figure of a rendered image.

    Attributes:
        keypoints: (K, 3) float64 x, y, visibility (0 outside the image, 1 hidden, 2 visible).
        bbox: x, y, w, h of the figure's drawn pixels (integers, inside the image).
        area: Number of drawn pixels of the figure, counting those later figures cover.
        front: Facing direction, see :class:`Pose`.
    """

    keypoints: np.ndarray
    bbox: Tuple[int, int, int, int]
    area: int
    front: bool


def keypoint_visibility(keypoints: np.ndarray, masks: np.ndarray,
                        self_hidden: np.ndarray) -> np.ndarray:
    """COCO visibility of every figure's keypoints given the figures' drawn masks.

    Args:
        keypoints: (N, K, 2) xy of the figures, in drawing order.
        masks: (N, H, W) bool pixels each figure drew.
        self_hidden: (N, K) bool keypoints the figure's own body hides (its face seen from behind).

    Returns:
        (N, K) int64: 0 outside the image, 1 hidden by itself or by a figure drawn later,
        2 visible.
    """
    num, height, width = masks.shape
    pixels = np.rint(keypoints).astype(np.int64)
    inside = ((keypoints[..., 0] >= 0) & (keypoints[..., 0] <= width - 1)
              & (keypoints[..., 1] >= 0) & (keypoints[..., 1] <= height - 1))
    xs, ys = np.clip(pixels[..., 0], 0, width - 1), np.clip(pixels[..., 1], 0, height - 1)
    covered = np.zeros(inside.shape, bool)
    in_front = np.zeros((height, width), bool)  # union of the masks of the figures drawn later
    for i in range(num - 1, -1, -1):
        covered[i] = in_front[ys[i], xs[i]]
        in_front |= masks[i]
    return np.where(inside, np.where(covered | self_hidden, 1, 2), 0)


def sample_scene(rng: np.random.Generator, image_size: Tuple[int, int],
                 max_figures: int) -> List[Pose]:
    """Samples 1 to ``max_figures`` placed figures in drawing order.

    Figures are scaled to 30-90 % of the image height (smaller when there are several), turned by
    up to 30 degrees and centred anywhere in the image, so some are cut by the border. A figure
    whose rough box overlaps an earlier one by IoU >= 0.4 is re-sampled a few times and
    skipped if it still does not fit: figures overlap, but seldom hide each other entirely.

    Returns:
        Poses in image coordinates.
    """
    width, height = image_size
    count = int(rng.integers(1, max_figures + 1))
    largest = 0.9 if count == 1 else 0.75
    poses: List[Pose] = []
    boxes = torch.zeros((0, 4), dtype=torch.float64)  # x0, y0, x1, y1 of the placed figures
    for _ in range(count):
        for _attempt in range(8):
            pose = place_pose(
                sample_pose(rng, height * rng.uniform(0.3, largest)),
                (rng.uniform(0.05, 0.95) * width, rng.uniform(0.15, 0.85) * height),
                rng.uniform(-30.0, 30.0))
            box = torch.from_numpy(
                np.concatenate([pose.points.min(axis=0), pose.points.max(axis=0)]))[None]
            if (bbox_overlaps(box, boxes) < 0.4).all():
                poses.append(pose)
                boxes = torch.cat([boxes, box])
                break
    return poses


def annotate_figures(poses: Sequence[Pose], masks: np.ndarray) -> List[Optional[Instance]]:
    """COCO annotations of drawn figures.

    A figure keeping fewer than MIN_VISIBLE_KEYPOINTS visible keypoints, or whose box is
    narrower than MIN_BOX_SIDE pixels, gets none: like COCO's unlabelled people, it is mostly cut
    off or hidden. A figure seen from behind has its nose and eyes labelled as hidden (v=1),
    where its face would be.

    Args:
        poses: N figures in image coordinates, in drawing order.
        masks: (N, H, W) bool pixels each figure drew (see :func:`draw_figures`).

    Returns:
        N annotations in the order of ``poses``, None for a figure left unannotated.
    """
    if len(poses) != len(masks):
        raise ValueError(f'{len(poses)} poses but {len(masks)} masks')
    keypoints = np.stack([pose.points[:NUM_KEYPOINTS] for pose in poses])
    self_hidden = np.zeros((len(poses), NUM_KEYPOINTS), bool)
    self_hidden[:, [NOSE, L_EYE, R_EYE]] = np.array([not pose.front for pose in poses])[:, None]
    visibility = keypoint_visibility(keypoints, masks, self_hidden)
    instances: List[Optional[Instance]] = []
    for pose, xy, vis, mask in zip(poses, keypoints, visibility, masks):
        # The box spans all the figure's pixels, also those a later figure covers, so that it
        # holds every labelled keypoint (COCO boxes cover the visible part only; for top-down
        # training a crop that contains the hidden joints is the more useful choice).
        bbox = cv2.boundingRect(mask.view(np.uint8))
        if (vis == 2).sum() < MIN_VISIBLE_KEYPOINTS or min(bbox[2:]) < MIN_BOX_SIDE:
            instances.append(None)
            continue
        labelled = np.where(vis[:, None] > 0, xy, 0.0)  # COCO puts unlabelled keypoints at 0, 0
        instances.append(Instance(keypoints=np.concatenate([labelled, vis[:, None]], axis=1),
                                  bbox=bbox, area=int(mask.sum()), front=pose.front))
    return instances


def render_image(rng: np.random.Generator, image_size: Tuple[int, int],
                 max_figures: int) -> Tuple[np.ndarray, List[Instance]]:
    """Renders one image of 1 to ``max_figures`` figures and annotates them.

    Figures too hidden or too small are drawn but not annotated (see :func:`annotate_figures`).

    Args:
        rng: Random generator, the only source of randomness.
        image_size: (W, H).
        max_figures: Most figures drawn in the image.

    Returns:
        (H, W, 3) uint8 BGR image and its annotated figures.
    """
    image = render_background(rng, image_size)
    poses = sample_scene(rng, image_size, max_figures)
    masks = draw_figures(image, poses, [sample_appearance(rng) for _ in poses])
    if rng.random() < 0.3:  # camera blur, which also softens the figures' aliased edges
        image = cv2.GaussianBlur(image, (0, 0), float(rng.uniform(0.5, 0.9)))
    return image, [instance for instance in annotate_figures(poses, masks) if instance is not None]
