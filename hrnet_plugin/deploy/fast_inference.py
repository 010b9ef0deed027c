"""Faster inference for mmpose pose estimators, without changing what they compute.

``optimize_for_inference`` rewrites a built model in place:

* BatchNorm folding: in eval mode a BatchNorm is an affine map per channel, so it merges into
  the convolution before it (one pass over the feature map instead of two); mmcv's
  ``fuse_conv_bn`` pairs and folds them (all 292 of HRNet-W32).
* channels_last: NHWC strides, the layout oneDNN (CPU) and cuDNN run convolutions in; without
  it every convolution converts its input and output.
* reduced precision: the backbone runs under autocast ('bf16': bfloat16, fast on CPUs with
  AVX512-BF16/AMX and on GPUs, emulated and slower than float32 on other CPUs; 'fp16': CUDA
  only) with its weights stored in that dtype, so autocast does not re-cast 28 M weights on
  every call. The head, flip averaging and decoding stay float32 (see
  ``hrnet_plugin.models.pose_estimators.mixed_precision``).
* optional ``torch.compile`` of the backbone (with inductor's weight freezing).

The model stays an mmpose model: ``model(inputs, mode='tensor')`` returns float32 heatmaps and
``model.test_step(batch)`` returns predictions, so it drops into mmpose's tools unchanged.

ONNX export lives in ``hrnet_plugin.deploy``, timing in ``hrnet_plugin.benchmark``.
"""
import functools
import warnings
from collections import Counter
from typing import List, Sequence, Set

import torch
import torch.nn as nn
from mmcv.cnn import fuse_conv_bn
from torch.nn.modules.batchnorm import _BatchNorm

from hrnet_plugin.models.pose_estimators.mixed_precision import extract_features

PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}
# Submodules of an mmpose estimator whose convolutions are folded / converted.
FOLDED_PARTS = ('backbone', 'neck', 'head')
# Submodules run in channels_last and reduced precision; the head (a 1x1 convolution for
# HRNet) stays float32 NCHW, so heatmaps come out as float32 NCHW (see module docstring).
FEATURE_PARTS = ('backbone', 'neck')


def _shared_ids(module: nn.Module) -> Set[int]:
    """ids of the convolutions and BatchNorms that ``module`` reaches under several names."""
    names = Counter(id(m) for _, m in module.named_modules(remove_duplicate=False)
                    if isinstance(m, (nn.Conv2d, _BatchNorm)))
    return {key for key, count in names.items() if count > 1}


def _fuse_unshared(module: nn.Module, shared: Set[int]) -> None:
    # mmcv pairs each BatchNorm with the convolution registered just before it. A convolution
    # used by several modules, each with its own BatchNorm (mmdet's RTMDetSepBNHead shares its
    # convolutions across pyramid levels), would absorb all of them: such subtrees are searched
    # child by child, and the modules that hold a shared convolution keep their BatchNorms.
    if shared.isdisjoint(map(id, module.modules())):
        fuse_conv_bn(module)
        return
    for child in module.children():
        _fuse_unshared(child, shared)


@torch.no_grad()
def fuse_batchnorm(module: nn.Module) -> nn.Module:
    """Fold the BatchNorms of ``module`` into the convolutions before them, in place, and
    replace them by ``nn.Identity`` (mmcv's ``fuse_conv_bn``), except for shared convolutions.
    Only valid in eval mode; the module is put in eval mode.

    Returns:
        ``module`` itself.
    """
    module.eval()
    _fuse_unshared(module, _shared_ids(module))
    return module


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX512-BF16 or AMX). Without either
    (e.g. a VM that hides those CPUID bits), oneDNN emulates bfloat16 convolutions and they
    run several times slower than float32."""
    return torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()


def _parts(model: nn.Module, names: Sequence[str]) -> List[nn.Module]:
    return [getattr(model, name) for name in names if getattr(model, name, None) is not None]


def optimize_for_inference(model: nn.Module, precision: str = 'fp32', fuse_bn: bool = True,
                           channels_last: bool = True, compile: bool = False) -> nn.Module:
    """Rewrite an mmpose pose estimator in place for fast inference (see module docstring).

    The model is put in eval mode and its parameters stop requiring gradients: it is for
    inference only (folded BatchNorms cannot train).

    Args:
        model: an mmpose estimator with ``backbone`` (and optional ``neck``, ``head``).
        precision: 'fp32', 'bf16' or 'fp16' (CUDA only) for the backbone and neck.
        fuse_bn: fold BatchNorms into convolutions.
        channels_last: channels_last parameters and input of the backbone (and neck).
        compile: ``torch.compile`` the backbone (and neck); compiles on the first call.
    Returns:
        ``model`` itself.
    """
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of {sorted(PRECISIONS)}, got {precision!r}')
    device = next(model.parameters()).device
    if precision == 'fp16' and device.type != 'cuda':
        raise ValueError(f"precision='fp16' needs a CUDA device, the model is on {device}; "
                         "on CPU use 'bf16' (bfloat16) or 'fp32'")
    if precision == 'bf16' and device.type == 'cpu' and not cpu_has_native_bf16():
        warnings.warn('this CPU has no native bfloat16 (AVX512-BF16/AMX): bf16 inference will '
                      'be slower than fp32 here', stacklevel=2)
    model.eval()
    if fuse_bn:
        for part in _parts(model, FOLDED_PARTS):
            fuse_batchnorm(part)
    model.requires_grad_(False)  # no autograd bookkeeping, also for the folded biases
    dtype = PRECISIONS[precision]
    for part in _parts(model, FEATURE_PARTS):
        if channels_last:
            part.to(memory_format=torch.channels_last)
        if dtype is not None:
            part.to(dtype)
        # The wrapper takes the float32 input, and returns float32 NCHW features.
        part.forward = functools.partial(extract_features, part.forward, amp_dtype=dtype,
                                         channels_last=channels_last)
        if compile:
            # Freezing treats the (inference-only) weights as constants, which lets inductor
            # pre-pack them for oneDNN and fuse bias/ReLU/adds into the convolutions.
            part.compile(options={'freezing': True})
    return model
