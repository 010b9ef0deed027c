"""HRNet backbone (Sun et al., "Deep High-Resolution Representation Learning for Human Pose
Estimation", CVPR 2019).

The network keeps a high-resolution branch through the whole depth and adds one branch of half
the resolution (and twice the width) at the start of stages 2, 3 and 4. Inside a stage, every
module runs residual blocks on each branch and then exchanges information between all branches
(downward: chains of strided 3x3 convolutions; upward: 1x1 convolution + nearest upsampling).

Module names equal mmpose's ``HRNet`` (``conv1``/``bn1``/``layer1``/``transition{i}``/
``stage{i}``/``branches``/``fuse_layers``), so its checkpoints and the ImageNet initialisation
(``hrnet_w32-36af842e.pth``) load unchanged.
"""
import copy
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmengine.model import BaseModule
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from hrnet_plugin.registry import MODELS

from .residual_blocks import BLOCKS

STEM_CHANNELS = 64
# Stages after the stem; stage 1 is a plain stack of blocks, stages 2-4 are multi-branch.
STAGES = ('stage1', 'stage2', 'stage3', 'stage4')


def _conv_norm(in_channels: int, out_channels: int, kernel_size: int, stride: int,
               conv_cfg: Optional[dict], norm_cfg: dict, relu: bool) -> nn.Sequential:
    """``conv -> norm [-> relu]``; the conv has no bias because a norm follows."""
    layers = [
        build_conv_layer(conv_cfg, in_channels, out_channels, kernel_size, stride=stride,
                         padding=kernel_size // 2, bias=False),
        build_norm_layer(norm_cfg, out_channels)[1],
    ]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def _make_blocks(block: type, in_channels: int, out_channels: int, num_blocks: int,
                 with_cp: bool, conv_cfg: Optional[dict], norm_cfg: dict) -> nn.Sequential:
    """``num_blocks`` residual blocks; the first projects the shortcut when widths differ."""
    downsample = None
    if in_channels != out_channels:
        downsample = nn.Sequential(
            build_conv_layer(conv_cfg, in_channels, out_channels, 1, bias=False),
            build_norm_layer(norm_cfg, out_channels)[1])
    blocks = [block(in_channels, out_channels, downsample=downsample, with_cp=with_cp,
                    conv_cfg=conv_cfg, norm_cfg=norm_cfg)]
    blocks += [block(out_channels, out_channels, with_cp=with_cp, conv_cfg=conv_cfg,
                     norm_cfg=norm_cfg) for _ in range(1, num_blocks)]
    return nn.Sequential(*blocks)


class HRModule(nn.Module):
    """One multi-resolution module: parallel branches, then the exchange unit.

    Args:
        in_channels: width of each input branch, high to low resolution.
        block: residual block class of the branches.
        num_blocks: blocks per branch.
        num_channels: block width per branch (before the block's expansion).
        multiscale_output: return every branch; otherwise only the highest resolution one
            (the last module of stage 4 in pose estimation).
        upsample_cfg: ``mode``/``align_corners`` of the upward paths.
    """

    def __init__(self, in_channels: Sequence[int], block: type, num_blocks: Sequence[int],
                 num_channels: Sequence[int], multiscale_output: bool, with_cp: bool,
                 conv_cfg: Optional[dict], norm_cfg: dict, upsample_cfg: dict) -> None:
        super().__init__()
        self.num_branches = len(in_channels)
        self.out_channels = [c * block.expansion for c in num_channels]
        self.branches = nn.ModuleList(
            _make_blocks(block, cin, cout, n, with_cp, conv_cfg, norm_cfg)
            for cin, cout, n in zip(in_channels, self.out_channels, num_blocks))
        self.fuse_layers = None
        if self.num_branches > 1:
            num_outputs = self.num_branches if multiscale_output else 1
            self.fuse_layers = nn.ModuleList(
                nn.ModuleList(self._make_fuse_path(src, dst, conv_cfg, norm_cfg, upsample_cfg)
                              for src in range(self.num_branches))
                for dst in range(num_outputs))
        self.relu = nn.ReLU(inplace=True)

    def _make_fuse_path(self, src: int, dst: int, conv_cfg: Optional[dict], norm_cfg: dict,
                        upsample_cfg: dict) -> Optional[nn.Module]:
        """The path from branch ``src`` to branch ``dst`` of the exchange unit."""
        widths = self.out_channels
        if src == dst:
            return None
        if src > dst:  # lower resolution -> higher: 1x1 conv to the width, then upsample
            return nn.Sequential(
                build_conv_layer(conv_cfg, widths[src], widths[dst], 1, bias=False),
                build_norm_layer(norm_cfg, widths[dst])[1],
                nn.Upsample(scale_factor=2**(src - dst), mode=upsample_cfg['mode'],
                            align_corners=upsample_cfg['align_corners']))
        # higher resolution -> lower: (dst - src) strided 3x3 convs; only the last one changes
        # the width and has no ReLU, since the sum of all paths is activated afterwards.
        steps = dst - src
        return nn.Sequential(*(
            _conv_norm(widths[src], widths[dst] if k == steps - 1 else widths[src], 3, 2,
                       conv_cfg, norm_cfg, relu=k < steps - 1)
            for k in range(steps)))

    def forward(self, x: List[Tensor]) -> List[Tensor]:
        x = [branch(xi) for branch, xi in zip(self.branches, x)]
        if self.fuse_layers is None:
            return x
        return [self.relu(sum(xj if path is None else path(xj) for path, xj in zip(paths, x)))
                for paths in self.fuse_layers]


def _check_extra(extra: dict) -> None:
    """Validate the architecture dict up front, naming the faulty field and its values."""
    previous_branches = 0
    for name in STAGES:
        if name not in extra:
            raise ValueError(f'HRNet extra: missing {name!r}; got keys {sorted(extra)}')
        cfg = extra[name]
        for key in ('num_modules', 'num_branches', 'block', 'num_blocks', 'num_channels'):
            if key not in cfg:
                raise ValueError(f'HRNet extra[{name!r}]: missing {key!r}; got {dict(cfg)}')
        if cfg['block'] not in BLOCKS:
            raise ValueError(f'HRNet extra[{name!r}]: unknown block {cfg["block"]!r}; '
                             f'expected one of {sorted(BLOCKS)}')
        n = cfg['num_branches']
        for key in ('num_blocks', 'num_channels'):
            if len(cfg[key]) != n:
                raise ValueError(f'HRNet extra[{name!r}]: {key}={tuple(cfg[key])} has '
                                 f'{len(cfg[key])} entries but num_branches={n}')
        if name == 'stage1' and n != 1:
            raise ValueError(f"HRNet extra['stage1']: num_branches must be 1, got {n}")
        if n < previous_branches:
            raise ValueError(f'HRNet extra[{name!r}]: num_branches={n} is fewer than the '
                             f'previous stage\'s {previous_branches}; branches are only added')
        if cfg['num_modules'] < 1:
            raise ValueError(f'HRNet extra[{name!r}]: num_modules must be >= 1, '
                             f'got {cfg["num_modules"]}')
        previous_branches = n


@MODELS.register_module()
class HRNet(BaseModule):
    """HRNet backbone; same constructor and state_dict keys as mmpose's ``HRNet``.

    Args:
        extra: architecture: ``stage1``..``stage4`` dicts with ``num_modules``,
            ``num_branches``, ``block`` ('BASIC' | 'BOTTLENECK'), ``num_blocks``,
            ``num_channels``; ``stage4`` may set ``multiscale_output``; optional ``upsample``
            (``mode``, ``align_corners``) for the upward fusion paths.
        in_channels: image channels.
        conv_cfg, norm_cfg: mmcv layer configs.
        norm_eval: keep BatchNorm layers in eval mode while training (frozen statistics).
        with_cp: gradient checkpointing in the residual blocks (saves memory, costs time).
        zero_init_residual: zero the last norm of every residual block.
        frozen_stages: freeze the stem (0) and stages 1..n (with their transitions); -1: none.
        init_cfg: mmengine initialisation config.

    Returns from ``forward``: a tuple of feature maps, high to low resolution (a single map
    at 1/4 of the input size unless ``stage4.multiscale_output``).
    """

    def __init__(self, extra: dict, in_channels: int = 3, conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = None, norm_eval: bool = False, with_cp: bool = False,
                 zero_init_residual: bool = False, frozen_stages: int = -1,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if init_cfg is None:
            init_cfg = [dict(type='Normal', std=0.001, layer=['Conv2d']),
                        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])]
        super().__init__(init_cfg=init_cfg)
        _check_extra(extra)
        if not -1 <= frozen_stages <= 4:
            raise ValueError(f'HRNet frozen_stages must be in [-1, 4], got {frozen_stages}')
        self.extra = extra
        norm_cfg = copy.deepcopy(norm_cfg) if norm_cfg is not None else dict(type='BN')
        self.norm_cfg = norm_cfg
        self.norm_eval = norm_eval
        self.zero_init_residual = zero_init_residual
        self.frozen_stages = frozen_stages
        upsample_cfg = extra.get('upsample', dict(mode='nearest', align_corners=None))

        # Stem: two stride-2 3x3 convolutions to 1/4 resolution.
        self.conv1 = build_conv_layer(conv_cfg, in_channels, STEM_CHANNELS, 3, stride=2,
                                      padding=1, bias=False)
        self.norm1_name, norm1 = build_norm_layer(norm_cfg, STEM_CHANNELS, postfix=1)
        self.add_module(self.norm1_name, norm1)
        self.conv2 = build_conv_layer(conv_cfg, STEM_CHANNELS, STEM_CHANNELS, 3, stride=2,
                                      padding=1, bias=False)
        self.norm2_name, norm2 = build_norm_layer(norm_cfg, STEM_CHANNELS, postfix=2)
        self.add_module(self.norm2_name, norm2)
        self.relu = nn.ReLU(inplace=True)

        stage1 = extra['stage1']
        block = BLOCKS[stage1['block']]
        widths = [stage1['num_channels'][0] * block.expansion]
        self.layer1 = _make_blocks(block, STEM_CHANNELS, widths[0], stage1['num_blocks'][0],
                                   with_cp, conv_cfg, norm_cfg)

        for index in (2, 3, 4):
            cfg = extra[f'stage{index}']
            block = BLOCKS[cfg['block']]
            stage_widths = [c * block.expansion for c in cfg['num_channels']]
            self.add_module(f'transition{index - 1}',
                            self._make_transition(widths, stage_widths, conv_cfg, norm_cfg))
            multiscale = index < 4 or cfg.get('multiscale_output', False)
            modules = []
            for m in range(cfg['num_modules']):
                # Only the last module of the last stage may drop the low-resolution outputs.
                module = HRModule(stage_widths, block, cfg['num_blocks'], cfg['num_channels'],
                                  multiscale or m < cfg['num_modules'] - 1, with_cp, conv_cfg,
                                  norm_cfg, upsample_cfg)
                modules.append(module)
                stage_widths = module.out_channels
            self.add_module(f'stage{index}', nn.Sequential(*modules))
            widths = stage_widths
        self._freeze_stages()

    @property
    def norm1(self) -> nn.Module:
        return getattr(self, self.norm1_name)

    @property
    def norm2(self) -> nn.Module:
        return getattr(self, self.norm2_name)

    @staticmethod
    def _make_transition(pre: Sequence[int], cur: Sequence[int], conv_cfg: Optional[dict],
                         norm_cfg: dict) -> nn.ModuleList:
        """Paths into the next stage: keep (or re-width) existing branches, and derive each new
        lower-resolution branch from the lowest existing one by strided 3x3 convolutions."""
        paths = []
        for i, width in enumerate(cur):
            if i < len(pre):
                paths.append(None if width == pre[i] else
                             _conv_norm(pre[i], width, 3, 1, conv_cfg, norm_cfg, relu=True))
            else:
                steps = i + 1 - len(pre)
                paths.append(nn.Sequential(*(
                    _conv_norm(pre[-1], width if k == steps - 1 else pre[-1], 3, 2, conv_cfg,
                               norm_cfg, relu=True)
                    for k in range(steps))))
        return nn.ModuleList(paths)

    @staticmethod
    def _transit(transition: nn.ModuleList, x: List[Tensor]) -> List[Tensor]:
        out = []
        for i, path in enumerate(transition):
            if i < len(x):
                out.append(x[i] if path is None else path(x[i]))
            else:
                out.append(path(x[-1]))
        return out

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        stride = 2**(len(STAGES) + 1)  # stem 4 x three halvings for the new branches
        if x.shape[-2] % stride or x.shape[-1] % stride:
            # Odd sizes would round differently on the way down and up and the branches would
            # no longer add up; fail here rather than deep inside an exchange unit.
            raise ValueError(f'HRNet input height and width must be multiples of {stride}, got '
                             f'{tuple(x.shape[-2:])}')
        x = self.relu(self.norm1(self.conv1(x)))
        x = self.relu(self.norm2(self.conv2(x)))
        xs = [self.layer1(x)]
        for index in (2, 3, 4):
            xs = getattr(self, f'stage{index}')(
                self._transit(getattr(self, f'transition{index - 1}'), xs))
        return tuple(xs)

    def _frozen_modules(self) -> List[nn.Module]:
        if self.frozen_stages < 0:
            return []
        modules = [self.conv1, self.norm1, self.conv2, self.norm2]
        for index in range(1, self.frozen_stages + 1):
            modules.append(self.layer1 if index == 1 else getattr(self, f'stage{index}'))
            if index < 4:
                modules.append(getattr(self, f'transition{index}'))
        return modules

    def _freeze_stages(self) -> None:
        for module in self._frozen_modules():
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def init_weights(self) -> None:
        super().init_weights()
        pretrained = isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained'
        if self.zero_init_residual and not pretrained:
            for module in self.modules():
                if hasattr(module, 'last_norm'):
                    nn.init.constant_(module.last_norm.weight, 0)
                    nn.init.constant_(module.last_norm.bias, 0)

    def train(self, mode: bool = True) -> 'HRNet':
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self
