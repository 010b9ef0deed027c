"""The graph that deployment exports: normalised images in, heatmaps out."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmpose.models.utils.tta import flip_heatmaps
from torch import Tensor


class HeatmapModel(nn.Module):
    """Images -> heatmaps of a top-down estimator (backbone [+ neck] + heatmap head).

    Shape legend: N images, K keypoints, input size [H, W], heatmap size [H/4, W/4] (HRNet).

    Args:
        model: mmpose top-down estimator.
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
        """(N, 3, H, W) normalised images -> (N, K, H/4, W/4) float32 heatmaps."""
        if self.flip_indices is None:
            return self.model._forward(inputs)
        num = inputs.shape[0]
        heatmaps = self.model._forward(torch.cat((inputs, inputs.flip(-1))))
        flipped = flip_heatmaps(heatmaps[num:], self.flip_indices, self.flip_mode,
                                self.shift_heatmap)
        return (heatmaps[:num] + flipped) * 0.5


def heatmap_model(model: nn.Module, flip: bool) -> HeatmapModel:
    """``HeatmapModel`` in eval mode, with the flip settings of ``model.test_cfg`` and the
    keypoint mirror pairs of ``model.dataset_meta`` when ``flip``."""
    if not flip:
        return HeatmapModel(model).eval()
    meta = getattr(model, 'dataset_meta', None) or {}
    if 'flip_indices' not in meta:
        raise ValueError('flip needs model.dataset_meta["flip_indices"] (set by init_model)')
    return HeatmapModel(model, meta['flip_indices'], model.test_cfg.get('flip_mode', 'heatmap'),
                        model.test_cfg.get('shift_heatmap', False)).eval()
