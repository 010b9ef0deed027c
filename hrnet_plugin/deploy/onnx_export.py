"""ONNX export of the heatmap graph (``HeatmapModel``), BatchNorms folded."""
import io
from pathlib import Path
from typing import Optional, Union

import torch
import torch.nn as nn
from torch import Tensor

from hrnet_plugin.utils import atomic_write_bytes

from .fast_inference import optimize_for_inference
from .heatmap_model import HeatmapModel, heatmap_model

INPUT_NAME, OUTPUT_NAME = 'input', 'heatmaps'
# Batch traced for a dynamic-batch export: any size but 1, which the tracer could specialise.
TRACE_BATCH = 2


def export_onnx(net: nn.Module, path: Union[str, Path], example: Tensor, dynamic_batch: bool,
                opset: int = 17) -> None:
    """Export ``net`` (e.g. a ``HeatmapModel``) with one input ``input`` and one output
    ``heatmaps``; the file is written atomically (never half-written).

    Uses the TorchScript-based exporter (``dynamo=False``): torch 2.14's default exporter
    needs the ``onnxscript`` package, and the traced graph of HRNet (convolutions, ReLU,
    nearest upsampling, adds, the flip's slicing) maps to standard ONNX operators.

    Args:
        example: (N, 3, H, W) float32 input used for tracing.
        dynamic_batch: make the batch dimension symbolic ('batch').
    """
    axes = {INPUT_NAME: {0: 'batch'}, OUTPUT_NAME: {0: 'batch'}} if dynamic_batch else None
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(net, (example, ), buffer, dynamo=False, opset_version=opset,
                          input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                          dynamic_axes=axes)
    atomic_write_bytes(path, buffer.getvalue())


def export_heatmap_onnx(model: nn.Module, path: Union[str, Path], flip: bool = False,
                        batch: Optional[int] = None, opset: int = 17) -> HeatmapModel:
    """Fold the BatchNorms of a top-down estimator (in place, float32, NCHW) and export its
    heatmap graph (``heatmap_model(model, flip)``) to ``path``.

    Args:
        model: mmpose top-down estimator on the CPU, with ``head.decoder.input_size`` (and
            ``dataset_meta['flip_indices']`` when ``flip``); it is optimised in place.
        flip: put the one-pass flip test in the graph.
        batch: fixed batch size, or None for a symbolic one.
    Returns:
        The exported PyTorch graph, to compare the exported model with.
    """
    if batch is not None and batch < 1:
        raise ValueError(f'batch must be None (dynamic) or >= 1, got {batch}')
    optimize_for_inference(model, precision='fp32', fuse_bn=True, channels_last=False)
    net = heatmap_model(model, flip)
    width, height = model.head.decoder.input_size
    example = torch.randn(batch or TRACE_BATCH, 3, height, width,
                          generator=torch.Generator().manual_seed(0))
    export_onnx(net, path, example, dynamic_batch=batch is None, opset=opset)
    return net
