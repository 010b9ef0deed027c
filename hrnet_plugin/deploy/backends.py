"""Inference backends and precisions: which combinations exist, what ``'auto'`` picks, and
building a runtime model (ONNX export, OpenVINO conversion, int8 quantization, session) through
the export cache.

Every runtime model starts from one ONNX export of the heatmap graph (BatchNorms folded, flip
test and dynamic batch inside): onnxruntime runs it, OpenVINO converts it. Converting the ONNX
file rather than the PyTorch module (``openvino.convert_model(module)``) gives the same
heatmaps (both within 3e-5 of the range of PyTorch's on HRNet-W32) and is faster: for W32 the
ONNX export plus its conversion took 36 s against 113 s for the direct conversion, and the
ONNX file is shared by both runtimes. bf16 is an OpenVINO inference setting of the float32
model, not a model of its own, so it reuses the float32 conversion.
"""
import copy
import logging
from pathlib import Path
from typing import Optional

import openvino as ov
import torch
import torch.nn as nn

from .calibration import MAX_CALIBRATION_CROPS, CalibrationSet
from .export_cache import cached_export, file_sha256, json_sha256
from .fast_inference import cpu_has_native_bf16
from .onnx_export import export_heatmap_onnx
from .quantization import NNCF_VERSION, onnx_to_openvino, quantize_onnx, quantize_openvino
from .runtime_estimator import RuntimePoseEstimator
from .sessions import OnnxRuntimeSession, OpenVinoSession, openvino_capabilities

logger = logging.getLogger(__name__)

#: Precisions of each backend ('auto' aside). PyTorch: float32, bfloat16 autocast, float16
#: autocast (CUDA); onnxruntime's CPU provider has no bfloat16 convolutions.
BACKEND_PRECISIONS = {'pytorch': ('fp32', 'bf16', 'fp16'), 'onnxruntime': ('fp32', 'int8'),
              'openvino': ('fp32', 'bf16', 'int8')}
BACKENDS = tuple(BACKEND_PRECISIONS)
#: Version of the export recipe, part of every cache key: bumped when the recipe changes.
EXPORT_VERSION = 1
ONNX_FILE, OPENVINO_FILE = 'model.onnx', 'model.xml'


def openvino_bf16_missing() -> Optional[str]:
    """Why OpenVINO would not run bfloat16 natively on this CPU (None when it would)."""
    capabilities = openvino_capabilities()
    if 'BF16' in capabilities:
        return None
    return ("this CPU has no native bfloat16 (AVX512-BF16 or AMX): OpenVINO's "
            f"OPTIMIZATION_CAPABILITIES are {', '.join(sorted(capabilities))}, without BF16")


def check_backend(backend: str, precision: str, device: str = 'cpu') -> None:
    """Refuse an unknown backend, a precision the backend lacks ('auto' is always allowed),
    or a runtime backend on another device than the CPU.

    Raises:
        ValueError: naming the value and what is allowed.
    """
    if backend not in BACKEND_PRECISIONS:
        raise ValueError(f'backend must be one of {list(BACKENDS)}, got {backend!r}')
    allowed = BACKEND_PRECISIONS[backend]
    if precision != 'auto' and precision not in allowed:
        hint = ''
        if precision == 'int8':
            hint = "; int8 (post-training quantization) needs backend 'openvino' or 'onnxruntime'"
        elif precision == 'bf16':
            hint = "; for bf16 use backend 'openvino' or 'pytorch'"
        raise ValueError(f"precision of backend {backend!r} must be 'auto' or one of "
                         f'{list(allowed)}, got {precision!r}{hint}')
    if backend != 'pytorch' and torch.device(device).type != 'cpu':
        raise ValueError(f"backend {backend!r} runs on the CPU, got device {device!r}")


def resolve_precision(backend: str, precision: str, device: str = 'cpu') -> str:
    """The precision to run: ``precision`` itself, or for ``'auto'`` bf16 where the device
    computes bfloat16 natively and fp32 elsewhere (never emulated bf16, never int8); the choice
    is logged.

    Raises:
        ValueError: a combination ``check_backend`` refuses, or bf16 with OpenVINO on a CPU
            without native bfloat16 (naming the missing capability).
    """
    check_backend(backend, precision, device)
    if precision == 'bf16' and backend == 'openvino':
        missing = openvino_bf16_missing()
        if missing:
            raise ValueError(f"precision 'bf16' of backend 'openvino': {missing}; use 'fp32' "
                             "or 'auto'")
    if precision != 'auto':
        return precision
    if backend == 'openvino':
        missing = openvino_bf16_missing()
    elif backend == 'onnxruntime':
        missing = 'onnxruntime has no bfloat16 convolutions on the CPU'
    elif torch.device(device).type == 'cuda':
        missing = None if torch.cuda.is_bf16_supported() else 'this GPU has no bfloat16'
    else:
        missing = None if cpu_has_native_bf16() else \
            'this CPU has no native bfloat16 (AVX512-BF16 or AMX)'
    chosen = 'fp32' if missing else 'bf16'
    logger.info("precision 'auto' of backend %r: %s%s", backend, chosen,
                f' ({missing})' if missing else ' (native bfloat16)')
    return chosen


def _export_key(estimator: nn.Module, checkpoint: str, flip: bool) -> dict:
    """What the ONNX export depends on: weights, model settings, input size, flip test."""
    meta = getattr(estimator, 'dataset_meta', None) or {}
    return dict(version=EXPORT_VERSION, weights=file_sha256(checkpoint),
                model=json_sha256(estimator.cfg.model),
                input_size=list(estimator.head.decoder.input_size), flip=flip,
                flip_indices=meta.get('flip_indices') if flip else None,
                torch=torch.__version__)


def runtime_pose_model(estimator: nn.Module, checkpoint: str, backend: str, precision: str,
                       calibration: Optional[dict] = None,
                       calibration_size: int = MAX_CALIBRATION_CROPS) -> RuntimePoseEstimator:
    """Export ``estimator`` (once: the files are cached, see ``export_cache``) and wrap the
    runtime session in a ``RuntimePoseEstimator``.

    Args:
        estimator: a top-down heatmap estimator in float32 on the CPU, with ``cfg`` (and
            ``dataset_meta['flip_indices']`` when its ``test_cfg`` has ``flip_test``); it is
            not modified.
        checkpoint: the checkpoint file its weights came from (its sha256 keys the cache).
        backend: 'onnxruntime' or 'openvino'.
        precision: one of ``BACKEND_PRECISIONS[backend]`` (resolve 'auto' first).
        calibration: int8 only: an mmpose dataset config of the calibration crops (None: the
            config's ``val_dataloader.dataset``), see ``CalibrationSet``.
        calibration_size: int8 only: number of calibration crops.
    """
    if backend not in ('onnxruntime', 'openvino') or precision not in BACKEND_PRECISIONS[backend]:
        raise ValueError(f'no runtime model for backend {backend!r}, precision {precision!r}')
    flip = bool(estimator.test_cfg.get('flip_test', False))
    key = _export_key(estimator, checkpoint, flip)
    folder = cached_export(dict(key, backend='onnx', precision='fp32'),
                           lambda out: export_heatmap_onnx(copy.deepcopy(estimator),
                                                           out / ONNX_FILE, flip=flip))
    source = folder / ONNX_FILE
    if backend == 'openvino':
        key = dict(key, openvino=ov.__version__)
        folder = cached_export(dict(key, backend=backend, precision='fp32'),
                               lambda out: onnx_to_openvino(source, out / OPENVINO_FILE))
        source = folder / OPENVINO_FILE
    if precision == 'int8':
        calibration_set = CalibrationSet(estimator, calibration, calibration_size)
        quantize = quantize_openvino if backend == 'openvino' else quantize_onnx
        folder = cached_export(
            dict(key, backend=backend, precision=precision, nncf=NNCF_VERSION,
                 calibration=calibration_set.fingerprint),
            lambda out: quantize(source, out / Path(source).name, calibration_set.inputs()))
        source = folder / Path(source).name
    if backend == 'openvino':
        session = OpenVinoSession(source, 'bf16' if precision == 'bf16' else 'fp32')
    else:
        session = OnnxRuntimeSession(source)
    return RuntimePoseEstimator(estimator, session, backend, precision, str(folder))
