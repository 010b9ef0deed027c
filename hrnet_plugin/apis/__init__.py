"""Inference APIs: build models, estimate poses in boxes, detect persons, track, draw, run."""
from .checkpoints import local_checkpoint
from .detection import TopDownPipeline, init_detector, select_person_boxes
from .detection_file import DetectionFile
from .fast_inference import optimize_for_inference
from .inference import inference_topdown, init_pose_model, load_config, prepare_bboxes
from .io import Frame, InputSource, read_image, to_bgr
from .results import PredictionWriter, coco_keypoint_records
from .runner import InferenceSummary, run_topdown
from .tracking import IoUTracker, bbox_iou
from .visualization import draw_pose

__all__ = [
    'DetectionFile', 'Frame', 'InferenceSummary', 'InputSource', 'IoUTracker', 'PredictionWriter',
    'TopDownPipeline', 'bbox_iou', 'coco_keypoint_records', 'draw_pose', 'inference_topdown',
    'init_detector', 'init_pose_model', 'load_config', 'local_checkpoint',
    'optimize_for_inference', 'prepare_bboxes',
    'read_image', 'run_topdown', 'select_person_boxes', 'to_bgr'
]
