"""Size and multiply-adds of a model, counted by mmengine (``FlopAnalyzer``, the counter
behind ``get_model_complexity_info`` and mmpose's ``get_flops``)."""
import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer


@torch.no_grad()
def model_complexity(net: nn.Module, inputs: torch.Tensor) -> dict:
    """Parameters and multiply-adds per image of ``net(inputs)``.

    mmengine counts one multiply-add as one "flop" (fvcore's convention): a convolution
    output element costs C_in / groups * kh * kw (bias and additions not counted); an eval-mode
    BatchNorm 2 per element (scale and shift; 1 without affine parameters); a nearest
    upsampling 1 per output element. Element-wise additions and ReLU are not counted.

    Args:
        net: a module whose forward takes ``inputs`` alone.
        inputs: (N, C, H, W).
    Returns:
        dict(params, conv_macs_per_image (the convolutions' share of the count),
        mmengine_flops_per_image (the whole count), input_shape ([C, H, W])).
    """
    analyzer = FlopAnalyzer(net, (inputs, ))
    # Additions, and the estimator's loss module that a forward never calls, are expected.
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    num = inputs.shape[0]
    return dict(params=sum(p.numel() for p in net.parameters()),
                conv_macs_per_image=analyzer.by_operator()['conv'] // num,
                mmengine_flops_per_image=analyzer.total() // num,
                input_shape=list(inputs.shape[1:]))
