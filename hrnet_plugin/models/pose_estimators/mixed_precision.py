"""Run a feature extractor in channels_last layout and/or autocast, features back in float32.

Shared by training (``TopdownPoseEstimator(channels_last=..., amp_dtype=...)``) and inference
(``hrnet_plugin.deploy.fast_inference.optimize_for_inference``), so both put the precision
boundary at the same place: the backbone (and neck) run in reduced precision, while the head,
the loss and the decoding see float32 NCHW tensors. Keeping the head in float32 matters:
bfloat16 heatmaps keep 8 mantissa bits, too coarse for DARK's log-Taylor refinement, and
numpy (mmpose's accuracy metric) cannot hold bfloat16 at all. HRNet's head is a 1x1
convolution, <0.1% of the multiply-adds, so it costs nothing to keep it in float32.
"""
from typing import Callable, Optional, Tuple, Union

import torch
from torch import Tensor

Features = Union[Tensor, Tuple[Tensor, ...]]
# Training autocast without a loss scaler: bfloat16 only, whose exponent range equals
# float32's; float16 gradients underflow without scaling (mmengine's AmpOptimWrapper has one).
AMP_DTYPES = {'bfloat16': torch.bfloat16}


def parse_amp_dtype(amp_dtype: Optional[str]) -> Optional[torch.dtype]:
    """'bfloat16' (named as in mmengine's ``AmpOptimWrapper``) or None (float32)."""
    if amp_dtype is not None and amp_dtype not in AMP_DTYPES:
        raise ValueError(f'amp_dtype must be one of {sorted(AMP_DTYPES)} or None, '
                         f'got {amp_dtype!r}')
    return AMP_DTYPES.get(amp_dtype)


def _to_float32_nchw(feature: Tensor) -> Tensor:
    # One copy at most, and none when the tensor already is float32 NCHW.
    return feature.to(torch.float32, memory_format=torch.contiguous_format)


def extract_features(forward: Callable[[Tensor], Features], inputs: Tensor,
                     amp_dtype: Optional[torch.dtype], channels_last: bool) -> Features:
    """``forward(inputs)`` with the input in channels_last layout (when asked) and under
    autocast to ``amp_dtype`` (when given).

    Args:
        forward: a backbone's (or backbone + neck's) forward: (N, C, H, W) -> feature maps.
        inputs: (N, C, H, W) float32 images.
        amp_dtype: autocast dtype (torch.bfloat16 / torch.float16), or None for float32.
        channels_last: convert the input to channels_last (NHWC strides); the convolutions then
            keep that layout, which oneDNN (CPU) and cuDNN run faster.
    Returns:
        The feature maps (tensor or tuple of tensors, as ``forward`` returns them), float32 and
        NCHW-contiguous. Gradients flow through the conversions, so this serves training too.
    """
    if channels_last:
        inputs = inputs.contiguous(memory_format=torch.channels_last)
    with torch.autocast(inputs.device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
        feats = forward(inputs)
    if isinstance(feats, Tensor):
        return _to_float32_nchw(feats)
    return tuple(_to_float32_nchw(f) for f in feats)
