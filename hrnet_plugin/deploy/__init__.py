"""Deployment: fast PyTorch inference, the exported heatmap graph, ONNX export, runtime sessions
and their checks.

Layout (one concern per module, later backends beside them): ``fast_inference`` rewrites a
PyTorch model for inference (BatchNorm folding, channels_last, autocast, compile);
``heatmap_model`` the graph; ``onnx_export`` export to a file; ``sessions`` runtimes that run an
exported file; ``verification`` exported vs PyTorch outputs. ``hrnet_plugin.apis`` builds on
this package, never the other way round.
"""
from .fast_inference import cpu_has_native_bf16, fuse_batchnorm, optimize_for_inference
from .heatmap_model import HeatmapModel, heatmap_model
from .onnx_export import export_heatmap_onnx, export_onnx
from .sessions import OnnxRuntimeSession
from .verification import ExportCheck, export_and_check, relative_max_error

__all__ = ['ExportCheck', 'HeatmapModel', 'OnnxRuntimeSession', 'cpu_has_native_bf16',
           'export_and_check', 'export_heatmap_onnx', 'export_onnx', 'fuse_batchnorm',
           'heatmap_model', 'optimize_for_inference', 'relative_max_error']
