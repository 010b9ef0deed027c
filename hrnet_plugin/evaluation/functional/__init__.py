"""Pure numpy evaluation functions: PoseTrack mAP and MOT metrics (poseval protocol), and the
greedy OKS linking of poses into tracks."""
from .pose_linking import (
    TrackState,
    active_tracks,
    assign_tracks,
    greedy_match,
    link_poses,
    oks_matrix,
)
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
    normalized_distances,
    points_in_polygons,
    precision_recall,
    scored_joints,
    summarize_average_precision,
    summarize_by_group,
    voc_average_precision,
)
from .posetrack_mota import (
    MOT_COUNTS,
    frame_joint_events,
    mot_metrics,
    posetrack_tracking,
    summarize_tracking,
    tracking_counts,
)

__all__ = [
    'MOT_COUNTS', 'POSETRACK18_EVAL_INDICES', 'POSETRACK18_EVAL_KEYPOINTS',
    'POSETRACK18_KEYPOINTS', 'POSETRACK_AP_GROUPS', 'PoseTrackFrame', 'TrackState',
    'active_tracks', 'assign_tracks', 'average_precision', 'frame_joint_events', 'greedy_match',
    'head_sizes', 'joint_average_precision', 'link_poses', 'match_frame', 'mot_metrics',
    'normalized_distances', 'oks_matrix', 'points_in_polygons', 'posetrack_tracking',
    'precision_recall', 'scored_joints', 'summarize_average_precision', 'summarize_by_group',
    'summarize_tracking', 'tracking_counts', 'voc_average_precision',
]
