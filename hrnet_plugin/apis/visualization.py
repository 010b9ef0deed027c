"""Draw poses onto images with OpenCV.

mmpose's ``PoseLocalVisualizer`` goes through mmengine's Visualizer (RGB images, a matplotlib
canvas for texts and its own colour handling); drawing with cv2 directly on the BGR frame that
is written to disk needs no colour conversion and no plotting backend.

Shapes: N persons, K keypoints, L skeleton links.
"""
from typing import Optional

import cv2
import numpy as np
from mmpose.structures import PoseDataSample

BOX_COLOR = (0, 255, 0)  # BGR


def score_colors(scores: np.ndarray) -> np.ndarray:
    """BGR colours (..., 3) from red (score 0) through yellow (0.5) to green (1)."""
    scores = np.clip(np.asarray(scores, np.float32), 0, 1)[..., None]
    green = np.minimum(2 * scores, 1) * 255
    red = np.minimum(2 * (1 - scores), 1) * 255
    return np.concatenate([np.zeros_like(green), green, red], axis=-1).astype(np.uint8)


def draw_pose(image: np.ndarray, sample: PoseDataSample, dataset_meta: dict,
              kpt_thr: float = 0.3, draw_bbox: bool = True,
              thickness: Optional[int] = None) -> np.ndarray:
    """Return a copy of ``image`` with the predicted persons drawn on it.

    Skeleton links use ``dataset_meta['skeleton_link_colors']`` and join keypoints that both
    score above ``kpt_thr``; keypoints above ``kpt_thr`` are discs filled by score colour
    (``score_colors``) and ringed by their ``dataset_meta['keypoint_colors']``; boxes are
    labelled with ``track_ids`` when present, else the box score.

    Args:
        image: (H, W, 3) BGR.
        sample: result of ``inference_topdown``; ``pred_instances`` with ``keypoints``
            (N, K, 2), ``keypoint_scores`` (N, K), ``bboxes`` (N, 4), ``bbox_scores`` (N,),
            optionally ``track_ids`` (N,).
        dataset_meta: the model's ``dataset_meta`` (mmpose's metainfo colours are RGB).
        kpt_thr: minimum score of a drawn keypoint.
        draw_bbox: draw the person boxes.
        thickness: line width; default scales with the image size.
    """
    canvas = np.ascontiguousarray(image).copy()
    thickness = thickness or max(1, round(max(canvas.shape[:2]) / 400))
    radius = thickness + 2
    instances = sample.pred_instances
    keypoints = np.round(np.asarray(instances.keypoints)).astype(np.int32)  # (N, K, 2)
    scores = np.asarray(instances.keypoint_scores)  # (N, K)
    links = np.asarray(dataset_meta.get('skeleton_links', []), np.int64).reshape(-1, 2)
    link_colors = np.asarray(dataset_meta['skeleton_link_colors'])[:, ::-1].tolist()
    kpt_colors = np.asarray(dataset_meta['keypoint_colors'])[:, ::-1].tolist()
    fill_colors = score_colors(scores).tolist()
    visible = scores > kpt_thr
    link_visible = visible[:, links[:, 0]] & visible[:, links[:, 1]]  # (N, L)

    if draw_bbox:
        labels = (instances.track_ids if 'track_ids' in instances else
                  np.round(np.asarray(instances.bbox_scores), 2))
        for box, label in zip(np.round(np.asarray(instances.bboxes)).astype(int), labels):
            cv2.rectangle(canvas, tuple(box[:2].tolist()), tuple(box[2:].tolist()), BOX_COLOR,
                          thickness)
            cv2.putText(canvas, str(label), (int(box[0]), int(box[1]) + 12 * thickness),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thickness, BOX_COLOR, thickness)
    # cv2 draws one primitive per call: the loops run over the visible links/keypoints only.
    for person, link in zip(*np.nonzero(link_visible)):
        start, end = keypoints[person, links[link]]
        cv2.line(canvas, tuple(start.tolist()), tuple(end.tolist()), link_colors[link],
                 thickness, cv2.LINE_AA)
    for person, kpt in zip(*np.nonzero(visible)):
        center = tuple(keypoints[person, kpt].tolist())
        cv2.circle(canvas, center, radius, fill_colors[person][kpt], -1, cv2.LINE_AA)
        cv2.circle(canvas, center, radius, kpt_colors[kpt], max(1, thickness // 2),
                   cv2.LINE_AA)
    return canvas
