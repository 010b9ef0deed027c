"""Evaluation of the plugin: metrics registered in ``hrnet_plugin.registry.METRICS`` and the pure
functions behind them. Importing this package registers the metrics."""
from .functional import read_mpii_headbox_mat, write_mpii_headbox_mat
from .metrics import PoseTrack18Metric, load_posetrack18_ground_truth

__all__ = [
    'PoseTrack18Metric', 'load_posetrack18_ground_truth', 'read_mpii_headbox_mat',
    'write_mpii_headbox_mat',
]
