"""Does an exported model compute what the PyTorch model computes?"""
from pathlib import Path
from typing import NamedTuple, Optional, Union

import torch
import torch.nn as nn
from torch import Tensor

from .heatmap_model import heatmap_model
from .onnx_export import TRACE_BATCH, export_heatmap_onnx
from .sessions import OnnxRuntimeSession

# Batch of the check of a dynamic-batch export: not the traced one, so that a batch size
# frozen into the graph fails it.
CHECK_BATCH = TRACE_BATCH + 1


def relative_max_error(got: Tensor, expected: Tensor) -> float:
    """max |got - expected| over the value range of ``expected`` (the absolute error when
    ``expected`` is constant). Both tensors have the same shape."""
    if got.shape != expected.shape:
        raise ValueError(f'shapes differ: got {tuple(got.shape)}, '
                         f'expected {tuple(expected.shape)}')
    span = float(expected.max() - expected.min())
    error = float((got.float() - expected.float()).abs().max())
    return error / span if span > 0 else error


class ExportCheck(NamedTuple):
    """An exported model next to the PyTorch graph it came from."""
    net: nn.Module            # the exported PyTorch graph (BatchNorms folded)
    session: OnnxRuntimeSession
    inputs: Tensor            # (N, 3, H, W) random images of the check
    heatmaps: Tensor          # (N, K, h, w) the session's output on ``inputs``
    error: float              # relative_max_error against the unmodified model


def export_and_check(model: nn.Module, path: Union[str, Path], flip: bool = False,
                     batch: Optional[int] = None, opset: int = 17) -> ExportCheck:
    """``export_heatmap_onnx`` (``model`` is optimised in place), then the exported file run
    in onnxruntime on seeded random images and compared with the unmodified model's heatmaps.

    Args:
        batch: fixed batch size, or None for a dynamic batch (checked at ``CHECK_BATCH``).
    """
    width, height = model.head.decoder.input_size
    inputs = torch.randn(batch or CHECK_BATCH, 3, height, width,
                         generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = heatmap_model(model, flip)(inputs)
    net = export_heatmap_onnx(model, path, flip=flip, batch=batch, opset=opset)
    session = OnnxRuntimeSession(path)
    heatmaps = session(inputs)
    return ExportCheck(net, session, inputs, heatmaps, relative_max_error(heatmaps, expected))
