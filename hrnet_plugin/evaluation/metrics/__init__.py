"""Registered evaluation metrics (scope ``hrnet_plugin``)."""
from ..posetrack18_files import PoseTrack18Image, load_posetrack18_ground_truth
from .posetrack18_metric import PoseTrack18Metric

__all__ = ['PoseTrack18Image', 'PoseTrack18Metric', 'load_posetrack18_ground_truth']
