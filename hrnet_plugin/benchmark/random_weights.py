"""Seeded random weights that keep activations at a trained network's scale.

With random weights and untouched BatchNorm statistics (mean 0, variance 1), eval-mode
BatchNorm does not normalise, and activations grow or shrink by orders of magnitude over
HRNet's ~100 layers (mmengine's N(0, 0.001) initialisation shrinks them ~50x per layer: the
heatmaps come out flat). Measuring the statistics on real inputs fixes that, so random-weight
models time, fold and round like trained ones.
"""
from typing import Callable

import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


@torch.no_grad()
def randomize_weights_(model: nn.Module, seed: int, calibrate: Callable[[], object]) -> nn.Module:
    """He-normal convolutions, random BatchNorm affine parameters, and BatchNorm statistics
    measured by ``calibrate()``, in place; the model ends in eval mode.

    Convolutions (``nn.Conv2d``, ``nn.ConvTranspose2d``): normal weights with standard
    deviation sqrt(2 / fan), fan = the size of one filter (``weight[0]``: C_in / groups * kh * kw
    for a convolution), biases std 0.1. Affine BatchNorms: weight 1 + std 0.1, bias std 0.1.
    Then the BatchNorm statistics are reset and ``calibrate()`` runs in train mode with
    cumulative averaging (``momentum=None``), so one call sets them to that call's batch
    statistics; the momenta are restored. Every other parameter keeps its value.

    Args:
        model: any module (pose estimator, detector...).
        seed: seed of the weights (the draws do not touch torch's global generator).
        calibrate: a forward pass of ``model`` on representative inputs.
    Returns:
        ``model``.
    """
    gen = torch.Generator().manual_seed(seed)
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            fan = module.weight[0].numel()
            module.weight.copy_(torch.randn(module.weight.shape, generator=gen) * (2 / fan) ** 0.5)
            if module.bias is not None:
                module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=gen))
    momenta = [norm.momentum for norm in norms]
    for norm in norms:
        if norm.affine:
            norm.weight.copy_(1 + 0.1 * torch.randn(norm.num_features, generator=gen))
            norm.bias.copy_(0.1 * torch.randn(norm.num_features, generator=gen))
        norm.reset_running_stats()
        norm.momentum = None
    model.train()
    calibrate()
    model.eval()
    for norm, momentum in zip(norms, momenta):
        norm.momentum = momentum
    return model
