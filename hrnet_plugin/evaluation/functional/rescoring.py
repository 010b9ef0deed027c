"""Person confidences of top-down predictions, as mmpose's ``CocoMetric`` ranks them.

Shape legend: N persons, K keypoints.
"""
import numpy as np

#: ``score_mode`` values of mmpose's metrics.
SCORE_MODES = ('bbox', 'bbox_keypoint', 'bbox_rle', 'keypoint')
#: mmpose's ``keypoint_score_thr`` default: keypoints above it rescore a person.
KEYPOINT_SCORE_THR = 0.2


def instance_scores(bbox_scores: np.ndarray, keypoint_scores: np.ndarray,
                    mode: str = 'bbox_keypoint',
                    keypoint_score_thr: float = KEYPOINT_SCORE_THR) -> np.ndarray:
    """Person confidences used to rank instances (COCO AP, NMS), as mmpose's ``CocoMetric``.

    Args:
        bbox_scores: (N,) detector scores.
        keypoint_scores: (N, K) keypoint confidences.
        mode: one of ``SCORE_MODES``: ``'bbox_keypoint'`` is the box score times the mean of
            the keypoint scores above ``keypoint_score_thr`` (0 when none is);
            ``'bbox_rle'`` adds the mean and the max keypoint score to the box score.
        keypoint_score_thr: see ``mode``.

    Returns:
        (N,) float64 person scores.
    """
    if mode not in SCORE_MODES:
        raise ValueError(f'score mode must be one of {SCORE_MODES}, got {mode!r}')
    bbox_scores = np.asarray(bbox_scores, np.float64)
    keypoint_scores = np.asarray(keypoint_scores, np.float64)  # (N, K)
    if mode == 'bbox':
        return bbox_scores
    if mode == 'keypoint':
        return keypoint_scores.mean(-1)
    if mode == 'bbox_rle':
        return bbox_scores + keypoint_scores.mean(-1) + keypoint_scores.max(-1)
    confident = keypoint_scores > keypoint_score_thr
    mean_confident = (np.where(confident, keypoint_scores, 0).sum(-1)
                      / np.maximum(confident.sum(-1), 1))
    return bbox_scores * mean_confident
