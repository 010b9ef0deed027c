"""MSRA Gaussian heatmap codec (Xiao et al., ECCV 2018; Sun et al., HRNet, CVPR 2019), with
DARK encoding/decoding (Zhang et al., CVPR 2020) as ``unbiased=True``."""
from typing import Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from hrnet_plugin.registry import KEYPOINT_CODECS

from .utils.dark_refinement import refine_dark
from .utils.gaussian_targets import msra_gaussian_heatmaps, unbiased_gaussian_heatmaps
from .utils.heatmap_codec_base import HeatmapCodecBase, check_odd_kernel, check_positive
from .utils.heatmap_decoding import heatmap_argmax, refine_on_host, refine_quarter_offset


@KEYPOINT_CODECS.register_module()
class MSRAHeatmap(HeatmapCodecBase):
    """Gaussian heatmaps at ``heatmap_size``; coordinates scale by ``input_size / heatmap_size``.

    Args:
        input_size: [W, H] of the network input.
        heatmap_size: [W, H] of the heatmaps.
        sigma: Gaussian sigma in heatmap pixels.
        unbiased: DARK: sub-pixel Gaussian targets and Taylor-expansion decoding.
        blur_kernel_size: Gaussian blur applied before DARK decoding (odd).
    """

    def __init__(self, input_size: Sequence[int], heatmap_size: Sequence[int], sigma: float,
                 unbiased: bool = False, blur_kernel_size: int = 11) -> None:
        super().__init__(input_size, heatmap_size)
        self.sigma = check_positive('sigma', sigma)
        self.unbiased = unbiased
        self.blur_kernel_size = check_odd_kernel('blur_kernel_size', blur_kernel_size)

    @property
    def scale_factor(self) -> np.ndarray:
        """``input_size / heatmap_size`` (float32), for encoding and decoding."""
        return (np.array(self.input_size) / self.heatmap_size).astype(np.float32)

    def _encode_heatmaps(self, keypoints: np.ndarray,
                         keypoints_visible: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        generate = unbiased_gaussian_heatmaps if self.unbiased else msra_gaussian_heatmaps
        return generate(self.heatmap_size, keypoints, keypoints_visible, self.sigma)

    def _decode_batch(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        heatmaps = heatmaps.float()
        locs, scores = heatmap_argmax(heatmaps)
        if self.unbiased:
            locs = refine_on_host(refine_dark, locs, heatmaps, self.blur_kernel_size)
        else:
            locs = refine_quarter_offset(locs, heatmaps)
        return locs * torch.as_tensor(self.scale_factor, device=locs.device), scores
