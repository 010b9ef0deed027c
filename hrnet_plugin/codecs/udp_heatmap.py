"""UDP heatmap codec (Huang et al., "The Devil is in the Details: Delving into Unbiased Data
Processing for Human Pose Estimation", CVPR 2020): the input and heatmap grids are aligned at
pixel centres, so keypoints are encoded at ``keypoint / ((input_size - 1) / (heatmap_size - 1))``.

Decoding scales by ``input_size / (heatmap_size - 1)`` instead, as mmpose's UDP decoder does
(its docstring and encoder use ``input_size - 1``): kept for parity with mmpose's predictions
and metrics; decoded keypoints are ``input_size / (input_size - 1)`` times the encoded ones
(0.5% at 192 px)."""
from typing import Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from hrnet_plugin.registry import KEYPOINT_CODECS

from .utils.dark_refinement import refine_dark_udp
from .utils.gaussian_targets import udp_gaussian_heatmaps, udp_offset_heatmaps
from .utils.heatmap_codec_base import HeatmapCodecBase, check_odd_kernel, check_positive
from .utils.heatmap_decoding import decode_udp_combined, heatmap_argmax, refine_on_host

HEATMAP_TYPES = ('gaussian', 'combined')


@KEYPOINT_CODECS.register_module()
class UDPHeatmap(HeatmapCodecBase):
    """UDP heatmaps.

    Args:
        input_size: [W, H] of the network input.
        heatmap_size: [W, H] of the heatmaps.
        heatmap_type: 'gaussian' (K maps) or 'combined' (K x (disk, x offset, y offset) maps).
        sigma: Gaussian sigma in heatmap pixels ('gaussian').
        radius_factor: disk radius as a fraction of max(W, H) ('combined').
        blur_kernel_size: blur before decoding (odd; 'combined' uses 2 * size + 1).
    """

    def __init__(self, input_size: Sequence[int], heatmap_size: Sequence[int],
                 heatmap_type: str = 'gaussian', sigma: float = 2.,
                 radius_factor: float = 0.0546875, blur_kernel_size: int = 11) -> None:
        super().__init__(input_size, heatmap_size)
        if min(self.heatmap_size) < 2:
            raise ValueError('UDPHeatmap: heatmap_size must be at least [2, 2] (coordinates '
                             f'scale by 1 / (heatmap_size - 1)), got {heatmap_size!r}')
        if heatmap_type not in HEATMAP_TYPES:
            raise ValueError(f'UDPHeatmap: heatmap_type must be one of {HEATMAP_TYPES}, '
                             f'got {heatmap_type!r}')
        self.heatmap_type = heatmap_type
        self.sigma = check_positive('sigma', sigma)
        self.radius_factor = check_positive('radius_factor', radius_factor)
        self.blur_kernel_size = check_odd_kernel('blur_kernel_size', blur_kernel_size)

    @property
    def scale_factor(self) -> np.ndarray:
        """``(input_size - 1) / (heatmap_size - 1)`` (float32), for encoding only."""
        return ((np.array(self.input_size) - 1) /
                (np.array(self.heatmap_size) - 1)).astype(np.float32)

    def _encode_heatmaps(self, keypoints: np.ndarray,
                         keypoints_visible: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        if self.heatmap_type == 'gaussian':
            return udp_gaussian_heatmaps(self.heatmap_size, keypoints, keypoints_visible,
                                         self.sigma)
        return udp_offset_heatmaps(self.heatmap_size, keypoints, keypoints_visible,
                                   self.radius_factor)

    def _decode_batch(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        heatmaps = heatmaps.float()
        if self.heatmap_type == 'gaussian':
            locs, scores = heatmap_argmax(heatmaps)
            locs = refine_on_host(refine_dark_udp, locs, heatmaps, self.blur_kernel_size)
        else:
            locs, scores = decode_udp_combined(heatmaps, self.blur_kernel_size,
                                               self.radius_factor)
        # float64 as mmpose's decoder returns (large refinement steps keep their precision);
        # divided by heatmap_size - 1, then multiplied by input_size, in mmpose's order.
        width, height = self.heatmap_size
        grid = torch.tensor([width - 1, height - 1], dtype=torch.float64, device=locs.device)
        size = torch.tensor(self.input_size, dtype=torch.float64, device=locs.device)
        return locs.double() / grid * size, scores
