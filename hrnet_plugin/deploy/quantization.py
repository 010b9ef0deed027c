"""Conversion of the exported ONNX graph to OpenVINO, and int8 post-training quantization with
NNCF (for OpenVINO and for onnxruntime).

NNCF inserts quantize/dequantize pairs in front of the convolutions (weights per output
channel, activations per tensor), with ranges measured on the calibration crops, then
corrects the biases for the mean shift quantization causes (fast bias correction).
"""
from importlib.metadata import version
from pathlib import Path
from typing import Union

import openvino as ov
from torch import Tensor

from .onnx_export import INPUT_NAME

# Calibration crops per NNCF statistics step: batches make the statistics pass faster than
# crop by crop, and the ranges do not depend on the batching.
CALIBRATION_BATCH = 8
#: Part of the cache key of quantized models. (nncf itself takes ~10 s to import, so it is
#: imported only when a model is quantized.)
NNCF_VERSION = version('nncf')


def onnx_to_openvino(onnx_path: Union[str, Path], xml_path: Union[str, Path]) -> None:
    """Convert an ONNX file to OpenVINO IR (``xml_path`` and its .bin), float32 weights kept
    (``ov.save_model`` would compress them to float16 by default)."""
    ov.save_model(ov.convert_model(str(onnx_path)), str(xml_path), compress_to_fp16=False)


def _batches(inputs: Tensor) -> list:
    return [inputs[i:i + CALIBRATION_BATCH].numpy()
            for i in range(0, len(inputs), CALIBRATION_BATCH)]


def quantize_openvino(xml_path: Union[str, Path], out_xml: Union[str, Path],
                      calibration: Tensor) -> None:
    """int8 post-training quantization of an OpenVINO model with NNCF.

    Args:
        xml_path: the float32 model.
        out_xml: where the quantized IR goes.
        calibration: (M, 3, H, W) float32 normalised crops.
    """
    import nncf

    batches = _batches(calibration)
    quantized = nncf.quantize(ov.Core().read_model(str(xml_path)), nncf.Dataset(batches),
                              subset_size=len(batches))
    ov.save_model(quantized, str(out_xml), compress_to_fp16=False)


def quantize_onnx(onnx_path: Union[str, Path], out_path: Union[str, Path],
                  calibration: Tensor) -> None:
    """int8 post-training quantization of an ONNX model with NNCF (a QDQ graph, which
    onnxruntime runs with integer convolutions).

    Args:
        onnx_path: the float32 model.
        out_path: where the quantized model goes.
        calibration: (M, 3, H, W) float32 normalised crops.
    """
    import nncf
    import onnx

    batches = [{INPUT_NAME: batch} for batch in _batches(calibration)]
    quantized = nncf.quantize(onnx.load(str(onnx_path)), nncf.Dataset(batches),
                              subset_size=len(batches))
    onnx.save(quantized, str(out_path))
