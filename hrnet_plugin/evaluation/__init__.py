"""Evaluation of the plugin: metrics registered in ``hrnet_plugin.registry.METRICS``, the pure
functions behind them, and PoseTrack18 result files scored as poseval scores them. Importing
this package registers the metrics."""
from .metrics import PoseTrack18Metric
from .posetrack18_evaluation import (
    evaluate_posetrack18_results,
    posetrack18_report,
    posetrack18_tables,
    report_posetrack18,
)
from .posetrack18_files import (
    PoseTrack18Image,
    PoseTrack18Result,
    load_posetrack18_ground_truth,
    load_posetrack18_results,
    posetrack18_json,
    posetrack18_person,
)

__all__ = [
    'PoseTrack18Image', 'PoseTrack18Metric', 'PoseTrack18Result',
    'evaluate_posetrack18_results', 'load_posetrack18_ground_truth', 'load_posetrack18_results',
    'posetrack18_json', 'posetrack18_person', 'posetrack18_report', 'posetrack18_tables',
    'report_posetrack18',
]
