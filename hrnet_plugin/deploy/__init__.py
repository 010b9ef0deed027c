"""Deployment: fast PyTorch inference, the exported heatmap graph, ONNX and OpenVINO exports,
int8 quantization, runtime sessions and their checks.

Layout (one concern per module): ``fast_inference`` rewrites a PyTorch model for inference
(BatchNorm folding, channels_last, autocast, compile); ``heatmap_model`` the graph;
``onnx_export`` export to a file; ``quantization`` OpenVINO conversion and NNCF int8;
``calibration`` the crops that calibrate it; ``export_cache`` the cache of exports;
``sessions`` runtimes that run an exported file; ``runtime_estimator`` an mmpose estimator over
a session; ``backends`` the backend/precision choices and the chain that builds a runtime
model; ``verification`` exported vs PyTorch outputs. ``hrnet_plugin.apis`` builds on this
package, never the other way round.
"""
from .backends import (
    BACKEND_PRECISIONS,
    BACKENDS,
    check_backend,
    openvino_bf16_missing,
    resolve_precision,
    runtime_pose_model,
)
from .calibration import MAX_CALIBRATION_CROPS, CalibrationSet
from .export_cache import cached_export, exports_root, file_sha256
from .fast_inference import cpu_has_native_bf16, fuse_batchnorm, optimize_for_inference
from .heatmap_model import HeatmapModel, heatmap_model
from .onnx_export import export_heatmap_onnx, export_onnx
from .runtime_estimator import RuntimePoseEstimator
from .sessions import OnnxRuntimeSession, OpenVinoSession, openvino_capabilities
from .verification import ExportCheck, export_and_check, relative_max_error

__all__ = [
    'BACKENDS', 'BACKEND_PRECISIONS', 'MAX_CALIBRATION_CROPS', 'CalibrationSet', 'ExportCheck',
    'HeatmapModel', 'OnnxRuntimeSession', 'OpenVinoSession', 'RuntimePoseEstimator',
    'cached_export', 'check_backend', 'cpu_has_native_bf16', 'export_and_check',
    'export_heatmap_onnx', 'export_onnx', 'exports_root', 'file_sha256', 'fuse_batchnorm',
    'heatmap_model', 'openvino_bf16_missing', 'openvino_capabilities', 'optimize_for_inference',
    'relative_max_error', 'resolve_precision', 'runtime_pose_model'
]
