"""Heatmap head: optional deconvolution/convolution layers and a final 1x1 convolution that
predicts one heatmap per keypoint from the highest-resolution HRNet feature map."""
from types import MappingProxyType
from typing import Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmpose.evaluation.functional import pose_pck_accuracy
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.utils.tensor_utils import to_numpy
from torch import Tensor

from hrnet_plugin.registry import KEYPOINT_CODECS, MODELS, SCOPE

# Transposed-convolution paddings that exactly double the resolution, per kernel size.
DECONV_PADDING = {4: (1, 0), 3: (1, 1), 2: (0, 0)}
DEFAULT_FINAL_LAYER = MappingProxyType(dict(kernel_size=1))


def _check_pair(name_a: str, a: Optional[Sequence[int]], name_b: str,
                b: Optional[Sequence[int]]) -> None:
    if a and (b is None or len(a) != len(b)):
        raise ValueError(f'HeatmapHead: {name_a}={a} and {name_b}={b} must be sequences of '
                         'the same length')


@MODELS.register_module()
class HeatmapHead(BaseHead):
    """Top-down heatmap head; arguments and state_dict keys as mmpose's ``HeatmapHead``.

    Args:
        in_channels: channels of the input feature map (the last one of ``feats``).
        out_channels: number of heatmaps (keypoints, or 3 x keypoints for UDP 'combined').
        deconv_out_channels, deconv_kernel_sizes: stride-2 transposed convolutions (+BN+ReLU);
            None for HRNet, whose features already have 1/4 resolution.
        conv_out_channels, conv_kernel_sizes: extra convolutions (+BN+ReLU).
        final_layer: arguments of the final convolution (kernel_size...); None: no layer.
        loss: heatmap loss config.
        decoder: keypoint codec config used by ``predict``.
        init_cfg: defaults to N(0, 0.001) convolutions and unit BatchNorm.
    """

    def __init__(self, in_channels: Union[int, Sequence[int]], out_channels: int,
                 deconv_out_channels: Optional[Sequence[int]] = (256, 256, 256),
                 deconv_kernel_sizes: Optional[Sequence[int]] = (4, 4, 4),
                 conv_out_channels: Optional[Sequence[int]] = None,
                 conv_kernel_sizes: Optional[Sequence[int]] = None,
                 final_layer: Optional[Mapping] = DEFAULT_FINAL_LAYER,
                 loss: Optional[dict] = None, decoder: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        if init_cfg is None:
            init_cfg = [dict(type='Normal', layer=['Conv2d', 'ConvTranspose2d'], std=0.001),
                        dict(type='Constant', layer='BatchNorm2d', val=1)]
        super().__init__(init_cfg)
        _check_pair('deconv_out_channels', deconv_out_channels, 'deconv_kernel_sizes',
                    deconv_kernel_sizes)
        _check_pair('conv_out_channels', conv_out_channels, 'conv_kernel_sizes',
                    conv_kernel_sizes)
        self.in_channels = in_channels
        self.out_channels = out_channels
        # Resolve unscoped types (mmpose's losses) from our scope, whatever default scope the
        # caller has set (e.g. 'mmdet' after building a detector).
        with DefaultScope.overwrite_default_scope(SCOPE):
            self.loss_module = MODELS.build(
                loss if loss is not None else dict(type='KeypointMSELoss', use_target_weight=True))
            self.decoder = KEYPOINT_CODECS.build(decoder) if decoder is not None else None

        channels = in_channels
        layers = []
        for width, kernel in zip(deconv_out_channels or (), deconv_kernel_sizes or ()):
            if kernel not in DECONV_PADDING:
                raise ValueError(f'HeatmapHead: deconv kernel size {kernel} is not one of '
                                 f'{sorted(DECONV_PADDING)}')
            padding, output_padding = DECONV_PADDING[kernel]
            layers += [nn.ConvTranspose2d(channels, width, kernel, stride=2, padding=padding,
                                          output_padding=output_padding, bias=False),
                       nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
            channels = width
        self.deconv_layers = nn.Sequential(*layers) if layers else nn.Identity()

        layers = []
        for width, kernel in zip(conv_out_channels or (), conv_kernel_sizes or ()):
            layers += [nn.Conv2d(channels, width, kernel, padding=(kernel - 1) // 2),
                       nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
            channels = width
        self.conv_layers = nn.Sequential(*layers) if layers else nn.Identity()

        if final_layer is None:
            self.final_layer = nn.Identity()
        else:
            cfg = dict(final_layer)
            self.final_layer = nn.Conv2d(channels, out_channels, cfg.pop('kernel_size', 1), **cfg)

    def forward(self, feats: Tuple[Tensor, ...]) -> Tensor:
        """Heatmaps (B, C, H, W) from the last (highest-resolution) feature map."""
        return self.final_layer(self.conv_layers(self.deconv_layers(feats[-1])))

    def predict(self, feats: Union[Tuple[Tensor, ...], list], batch_data_samples: list,
                test_cfg: Optional[dict] = None):
        """Decode keypoints in input-crop coordinates.

        With ``test_cfg['flip_test']``, ``feats`` is ``[feats, feats_of_mirrored_input]``; the
        mirrored heatmaps are mapped back (``flip_mode``, ``shift_heatmap``) and averaged.
        Returns instance predictions, plus heatmaps (``PixelData``) with ``output_heatmaps``.
        """
        test_cfg = test_cfg or {}
        if test_cfg.get('flip_test', False):
            if not (isinstance(feats, list) and len(feats) == 2):
                raise ValueError('flip_test expects feats = [feats, flipped_feats]')
            heatmaps = self.forward(feats[0])
            flipped = flip_heatmaps(
                self.forward(feats[1]), batch_data_samples[0].metainfo['flip_indices'],
                test_cfg.get('flip_mode', 'heatmap'), test_cfg.get('shift_heatmap', False))
            heatmaps = (heatmaps + flipped) * 0.5
        else:
            heatmaps = self.forward(feats)
        preds = self.decode(heatmaps)
        if test_cfg.get('output_heatmaps', False):
            return preds, [PixelData(heatmaps=hm) for hm in heatmaps.detach()]
        return preds

    def loss(self, feats: Tuple[Tensor, ...], batch_data_samples: list,
             train_cfg: Optional[dict] = None) -> dict:
        """Heatmap loss (``loss_kpt``) and, unless ``compute_acc=False``, PCK accuracy
        (``acc_pose``) of the predicted heatmaps' maxima."""
        train_cfg = train_cfg or {}
        pred = self.forward(feats)
        target = torch.stack([d.gt_fields.heatmaps for d in batch_data_samples])
        weights = torch.cat([d.gt_instance_labels.keypoint_weights for d in batch_data_samples])
        losses = dict(loss_kpt=self.loss_module(pred, target, weights))
        if train_cfg.get('compute_acc', True):
            _, accuracy, _ = pose_pck_accuracy(output=to_numpy(pred), target=to_numpy(target),
                                               mask=to_numpy(weights) > 0)
            losses['acc_pose'] = torch.tensor(accuracy, device=target.device)
        return losses
