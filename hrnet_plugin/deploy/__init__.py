"""Deployment: the exported heatmap graph, ONNX export, runtime sessions and their checks.

Layout (one concern per module, later backends beside them):
``heatmap_model`` the graph, ``onnx_export`` export to a file, ``sessions`` runtimes that run
an exported file, ``verification`` exported vs PyTorch outputs.
"""
from .heatmap_model import HeatmapModel, heatmap_model
from .onnx_export import export_heatmap_onnx, export_onnx
from .sessions import OnnxRuntimeSession
from .verification import ExportCheck, export_and_check, relative_max_error

__all__ = ['ExportCheck', 'HeatmapModel', 'OnnxRuntimeSession', 'export_and_check',
           'export_heatmap_onnx', 'export_onnx', 'heatmap_model', 'relative_max_error']
