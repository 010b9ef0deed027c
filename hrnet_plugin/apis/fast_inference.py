"""Faster inference for mmpose pose estimators, without changing what they compute.

``optimize_for_inference`` rewrites a built model in place:

* BatchNorm folding: in eval mode a BatchNorm is an affine map per channel, so it merges into
  the convolution before it (one pass over the feature map instead of two).
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

Also here: ONNX export of backbone + head (``export_onnx``) and the interleaved timer used by
``tools/benchmark.py`` and ``tools/export_onnx.py``.
"""
import functools
import statistics
import time
import warnings
from collections import Counter
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.fx
import torch.nn as nn
from mmpose.models.utils.tta import flip_heatmaps
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from hrnet_plugin.models.pose_estimators.mixed_precision import extract_features

PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}
# Submodules of an mmpose estimator whose convolutions are folded / converted.
FOLDED_PARTS = ('backbone', 'neck', 'head')
# Submodules run in channels_last and reduced precision; the head (a 1x1 convolution for
# HRNet) stays float32 NCHW, so heatmaps come out as float32 NCHW (see module docstring).
FEATURE_PARTS = ('backbone', 'neck')


def fold_batchnorm(weight: Tensor, bias: Optional[Tensor], running_mean: Tensor,
                   running_var: Tensor, eps: float, gamma: Optional[Tensor],
                   beta: Optional[Tensor], out_axis: int = 0) -> Tuple[Tensor, Tensor]:
    """Weight and bias of a convolution equal to ``BatchNorm(conv(x))`` in eval mode.

    ``BN(y) = (y - mean) * s + beta`` with ``s = gamma / sqrt(var + eps)`` per output channel,
    so ``w' = w * s`` (along the output-channel axis) and ``b' = (b - mean) * s + beta``.

    Args:
        weight: convolution weight; (C_out, C_in / groups, kh, kw) for ``nn.Conv2d``
            (``out_axis=0``) or (C_in, C_out, kh, kw) for ``nn.ConvTranspose2d`` with one group
            (``out_axis=1``).
        bias: (C_out,) or None (zero).
        running_mean, running_var: (C_out,) BatchNorm statistics.
        eps: BatchNorm epsilon.
        gamma, beta: (C_out,) affine parameters, or None (BatchNorm without affine).
        out_axis: the output-channel axis of ``weight``.
    Returns:
        (weight', bias') in ``weight``'s dtype, computed in float64 so the folded model
        matches the unfolded one to float32 rounding.
    """
    var = running_var.double()
    scale = torch.rsqrt(var + eps)
    if gamma is not None:
        scale = scale * gamma.double()
    shift = -running_mean.double() * scale
    if bias is not None:
        shift = shift + bias.double() * scale
    if beta is not None:
        shift = shift + beta.double()
    shape = [1] * weight.dim()
    shape[out_axis] = -1
    folded = weight.double() * scale.view(shape)
    return folded.to(weight.dtype), shift.to(weight.dtype)


def conv_bn_pairs(module: nn.Module) -> List[Tuple[str, str]]:
    """Names of (convolution, BatchNorm) pairs where the BatchNorm only ever normalises that
    convolution's output and nothing else reads it, found by tracing ``module.forward`` with
    ``torch.fx`` (so the pairing follows the real data flow, not the registration order).

    A module whose forward cannot be traced (data-dependent control flow, such as an input
    size check, or no forward at all, as ``nn.ModuleList``) is searched child by child: pairs
    inside each child are still found, only pairs wired by that module's own forward are not.

    Returns:
        [(conv_name, bn_name)], names relative to ``module``.
    """
    try:
        graph = torch.fx.symbolic_trace(module).graph
    except (torch.fx.proxy.TraceError, NotImplementedError, TypeError):
        return [(f'{name}.{conv}', f'{name}.{bn}') for name, child in module.named_children()
                for conv, bn in conv_bn_pairs(child)]
    modules = dict(module.named_modules())
    # A module called more than once (shared) cannot be changed for one call only.
    calls = Counter(node.target for node in graph.nodes if node.op == 'call_module')
    pairs = []
    for node in graph.nodes:
        if node.op != 'call_module' or not isinstance(modules[node.target], _BatchNorm):
            continue
        source = node.args[0]
        if not (isinstance(source, torch.fx.Node) and source.op == 'call_module'):
            continue
        conv = modules[source.target]
        foldable = (type(conv) is nn.Conv2d
                    or (type(conv) is nn.ConvTranspose2d and conv.groups == 1))
        if (foldable and len(source.users) == 1 and calls[source.target] == 1
                and calls[node.target] == 1 and modules[node.target].track_running_stats):
            pairs.append((source.target, node.target))
    return pairs


@torch.no_grad()
def fuse_batchnorm(module: nn.Module) -> int:
    """Fold every foldable BatchNorm of ``module`` into its convolution (in place) and replace
    it by ``nn.Identity``. Only valid in eval mode; the module is put in eval mode.

    Returns:
        The number of BatchNorm layers folded.
    """
    module.eval()
    pairs = conv_bn_pairs(module)
    for conv_name, bn_name in pairs:
        conv, bn = module.get_submodule(conv_name), module.get_submodule(bn_name)
        weight, bias = fold_batchnorm(
            conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
            bn.bias, out_axis=1 if isinstance(conv, nn.ConvTranspose2d) else 0)
        conv.weight.copy_(weight)
        conv.bias = nn.Parameter(bias)
        parent, _, name = bn_name.rpartition('.')
        setattr(module.get_submodule(parent), name, nn.Identity())
    return len(pairs)


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


class HeatmapModel(nn.Module):
    """Images -> heatmaps of a top-down estimator, the graph that ``export_onnx`` exports.

    Args:
        model: mmpose top-down estimator (backbone [+ neck] + heatmap head).
        flip_indices: (K,) mirror partner of each keypoint; given: flip test in one pass over
            ``[images; mirrored images]``, the mirrored heatmaps mapped back and averaged.
        flip_mode, shift_heatmap: as the head's ``test_cfg``.
    """

    def __init__(self, model: nn.Module, flip_indices: Optional[Sequence[int]] = None,
                 flip_mode: str = 'heatmap', shift_heatmap: bool = False) -> None:
        super().__init__()
        self.model = model
        self.flip_indices = None if flip_indices is None else list(flip_indices)
        self.flip_mode = flip_mode
        self.shift_heatmap = shift_heatmap

    def forward(self, inputs: Tensor) -> Tensor:
        """(N, 3, H, W) normalised images -> (N, C, H/4, W/4) float32 heatmaps."""
        if self.flip_indices is None:
            return self.model._forward(inputs)
        num = inputs.shape[0]
        heatmaps = self.model._forward(torch.cat((inputs, inputs.flip(-1))))
        flipped = flip_heatmaps(heatmaps[num:], self.flip_indices, self.flip_mode,
                                self.shift_heatmap)
        return (heatmaps[:num] + flipped) * 0.5


def heatmap_model(model: nn.Module, flip: bool) -> HeatmapModel:
    """``HeatmapModel`` with the flip settings of ``model.test_cfg`` and the keypoint mirror
    pairs of ``model.dataset_meta``."""
    if not flip:
        return HeatmapModel(model).eval()
    meta = getattr(model, 'dataset_meta', None) or {}
    if 'flip_indices' not in meta:
        raise ValueError('flip needs model.dataset_meta["flip_indices"] (set by init_model)')
    return HeatmapModel(model, meta['flip_indices'], model.test_cfg.get('flip_mode', 'heatmap'),
                        model.test_cfg.get('shift_heatmap', False)).eval()


def export_onnx(net: nn.Module, path: str, example: Tensor, dynamic_batch: bool,
                opset: int = 17) -> None:
    """Export ``net`` (e.g. a ``HeatmapModel``) with input ``input`` and output ``heatmaps``.

    Uses the TorchScript-based exporter (``dynamo=False``): torch 2.14's default exporter
    needs the ``onnxscript`` package, and the traced graph of HRNet (convolutions, ReLU,
    nearest upsampling, adds, the flip's slicing) maps to standard ONNX operators.

    Args:
        example: (N, 3, H, W) float32 input used for tracing.
        dynamic_batch: make the batch dimension symbolic ('batch').
    """
    axes = {'input': {0: 'batch'}, 'heatmaps': {0: 'batch'}} if dynamic_batch else None
    with torch.no_grad():
        torch.onnx.export(net, (example, ), path, dynamo=False, opset_version=opset,
                          input_names=['input'], output_names=['heatmaps'],
                          dynamic_axes=axes)


def onnx_session(path: str, num_threads: Optional[int] = None):
    """An onnxruntime CPU session (``num_threads`` defaults to torch's thread count)."""
    import onnxruntime as ort  # optional dependency of the export path only

    options = ort.SessionOptions()
    options.intra_op_num_threads = num_threads or torch.get_num_threads()
    return ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])


def relative_max_error(got: Tensor, expected: Tensor) -> float:
    """max |got - expected| over the value range of ``expected`` (0 if both are constant)."""
    span = float(expected.max() - expected.min())
    error = float((got - expected).abs().max())
    return error / span if span > 0 else error


def time_interleaved(fns: Mapping[str, Callable[[], object]], repeats: int, warmup: int = 1,
                     device: Union[str, torch.device] = 'cpu'
                     ) -> Tuple[Dict[str, float], Dict[str, object]]:
    """Median wall time in seconds of each callable, called in turns (A B A B ...), so the
    slow drifts of a shared machine hit every candidate alike.

    On CUDA the device is synchronised around every call (kernels run asynchronously).

    Returns:
        (median seconds per name, what each callable returned on its last call).
    """
    sync = torch.cuda.synchronize if torch.device(device).type == 'cuda' else (lambda: None)
    outputs = {}
    for _ in range(warmup):
        for name, fn in fns.items():
            outputs[name] = fn()
    times: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            sync()
            start = time.perf_counter()
            outputs[name] = fn()
            sync()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}, outputs
