"""Residual blocks of HRNet's branches (He et al., "Deep Residual Learning", CVPR 2016).

Parameter names (``conv1``/``bn1``/.../``downsample``) follow torchvision's and mmpose's ResNet
blocks, so HRNet checkpoints of either load unchanged.
"""
from typing import Optional

import torch.nn as nn
import torch.utils.checkpoint as cp
from mmcv.cnn import build_conv_layer, build_norm_layer
from torch import Tensor


class _ResidualBlock(nn.Module):
    """Shared plumbing: ``out = relu(body(x) + shortcut(x))`` with optional checkpointing."""

    expansion = 1

    def __init__(self, with_cp: bool) -> None:
        super().__init__()
        self.with_cp = with_cp
        self.relu = nn.ReLU(inplace=True)

    def _add_conv_norm(self, index: int, conv_cfg: Optional[dict], norm_cfg: dict,
                       in_channels: int, out_channels: int, kernel_size: int,
                       stride: int = 1) -> None:
        self.add_module(f'conv{index}', build_conv_layer(
            conv_cfg, in_channels, out_channels, kernel_size, stride=stride,
            padding=kernel_size // 2, bias=False))
        name, norm = build_norm_layer(norm_cfg, out_channels, postfix=index)
        self.add_module(name, norm)
        setattr(self, f'_norm{index}_name', name)

    def norm(self, index: int) -> nn.Module:
        """The normalization layer after ``conv{index}`` (named ``bn{index}``, ``gn{index}``...)."""
        return getattr(self, getattr(self, f'_norm{index}_name'))

    def body(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def _forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        return self.body(x) + identity

    def forward(self, x: Tensor) -> Tensor:
        if self.with_cp and x.requires_grad:
            out = cp.checkpoint(self._forward, x, use_reentrant=False)
        else:
            out = self._forward(x)
        return self.relu(out)


class BasicBlock(_ResidualBlock):
    """Two 3x3 convolutions; used by HRNet's stages 2-4."""

    expansion = 1

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 downsample: Optional[nn.Module] = None, with_cp: bool = False,
                 conv_cfg: Optional[dict] = None, norm_cfg: Optional[dict] = None) -> None:
        super().__init__(with_cp)
        norm_cfg = norm_cfg or dict(type='BN')
        self._add_conv_norm(1, conv_cfg, norm_cfg, in_channels, out_channels, 3, stride)
        self._add_conv_norm(2, conv_cfg, norm_cfg, out_channels, out_channels, 3)
        self.downsample = downsample  # registered last: state_dict order as torchvision's

    @property
    def last_norm(self) -> nn.Module:
        return self.norm(2)

    def body(self, x: Tensor) -> Tensor:
        x = self.relu(self.norm(1)(self.conv1(x)))
        return self.norm(2)(self.conv2(x))


class Bottleneck(_ResidualBlock):
    """1x1 reduce, 3x3 (strided, "pytorch" style), 1x1 expand by 4; used by HRNet's stage 1."""

    expansion = 4

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 downsample: Optional[nn.Module] = None, with_cp: bool = False,
                 conv_cfg: Optional[dict] = None, norm_cfg: Optional[dict] = None) -> None:
        super().__init__(with_cp)
        norm_cfg = norm_cfg or dict(type='BN')
        mid_channels = out_channels // self.expansion
        self._add_conv_norm(1, conv_cfg, norm_cfg, in_channels, mid_channels, 1)
        self._add_conv_norm(2, conv_cfg, norm_cfg, mid_channels, mid_channels, 3, stride)
        self._add_conv_norm(3, conv_cfg, norm_cfg, mid_channels, out_channels, 1)
        self.downsample = downsample

    @property
    def last_norm(self) -> nn.Module:
        return self.norm(3)

    def body(self, x: Tensor) -> Tensor:
        x = self.relu(self.norm(1)(self.conv1(x)))
        x = self.relu(self.norm(2)(self.conv2(x)))
        return self.norm(3)(self.conv3(x))


BLOCKS = {'BASIC': BasicBlock, 'BOTTLENECK': Bottleneck}
