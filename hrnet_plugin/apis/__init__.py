"""Inference APIs: build models, estimate poses in boxes, detect persons, track, draw, write,
run over images, folders and videos."""
from hrnet_plugin.deploy import optimize_for_inference

from .checkpoints import resolve_pose_model
from .detection import TopDownPipeline, init_detector, select_person_boxes
from .detection_file import DetectionFile
from .inference import (
    estimate_poses,
    inference_topdown,
    init_pose_model,
    load_config,
    prepare_bboxes,
)
from .io import Frame, InputSource, read_image, to_bgr
from .posetrack import track_posetrack18
from .runner import InferenceSummary, run_topdown
from .tracking import PoseTracker
from .visualization import draw_pose
from .writers import OUTPUT_FORMATS, ResultWriter, coco_keypoint_records

__all__ = [
    'OUTPUT_FORMATS', 'DetectionFile', 'Frame', 'InferenceSummary', 'InputSource', 'PoseTracker',
    'ResultWriter', 'TopDownPipeline', 'coco_keypoint_records', 'draw_pose', 'estimate_poses',
    'inference_topdown', 'init_detector', 'init_pose_model', 'load_config',
    'optimize_for_inference', 'prepare_bboxes', 'read_image', 'resolve_pose_model', 'run_topdown',
    'select_person_boxes', 'to_bgr', 'track_posetrack18'
]
