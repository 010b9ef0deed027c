"""Pure numpy evaluation functions: PoseTrack mAP (poseval protocol) and MPII head boxes."""
from .mpii_headboxes import read_mpii_headbox_mat, write_mpii_headbox_mat
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
    'read_mpii_headbox_mat', 'summarize_average_precision', 'voc_average_precision',
    'write_mpii_headbox_mat',
]
