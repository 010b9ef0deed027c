"""Registered evaluation metrics (scope ``hrnet_plugin``)."""
from .posetrack18_metric import PoseTrack18Image, PoseTrack18Metric, load_posetrack18_ground_truth

__all__ = ['PoseTrack18Image', 'PoseTrack18Metric', 'load_posetrack18_ground_truth']
