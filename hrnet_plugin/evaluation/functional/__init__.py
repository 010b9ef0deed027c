"""Pure numpy evaluation functions: PoseTrack mAP (poseval protocol)."""
from .posetrack_map import (
    POSETRACK18_EVAL_INDICES,
    POSETRACK18_EVAL_KEYPOINTS,
    POSETRACK18_KEYPOINTS,
    POSETRACK_AP_GROUPS,
    PoseTrackFrame,
    average_precision,
    head_sizes,
    joint_average_precision,
    match_frame,
    points_in_polygons,
    precision_recall,
    summarize_average_precision,
    voc_average_precision,
)

__all__ = [
    'POSETRACK18_EVAL_INDICES', 'POSETRACK18_EVAL_KEYPOINTS', 'POSETRACK18_KEYPOINTS',
    'POSETRACK_AP_GROUPS', 'PoseTrackFrame', 'average_precision', 'head_sizes',
    'joint_average_precision', 'match_frame', 'points_in_polygons', 'precision_recall',
    'summarize_average_precision', 'voc_average_precision',
]
