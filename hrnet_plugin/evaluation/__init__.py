"""Evaluation of the plugin: metrics registered in ``hrnet_plugin.registry.METRICS`` and the pure
functions behind them. Importing this package registers the metrics."""
from .metrics import PoseTrack18Metric, load_posetrack18_ground_truth

__all__ = [
    'PoseTrack18Metric', 'load_posetrack18_ground_truth',
]
