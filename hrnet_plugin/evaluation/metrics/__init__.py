"""Registered evaluation metrics (scope ``hrnet_plugin``)."""
from .posetrack18_metric import PoseTrack18Metric

__all__ = ['PoseTrack18Metric']
