from .gaussian_targets import (
                               msra_gaussian_heatmaps,
                               udp_gaussian_heatmaps,
                               udp_offset_heatmaps,
                               unbiased_gaussian_heatmaps,
)
from .heatmap_decoding import (
                               decode_udp_combined,
                               gaussian_blur,
                               heatmap_argmax,
                               refine_dark,
                               refine_dark_udp,
                               refine_quarter_offset,
)

__all__ = [
    'msra_gaussian_heatmaps', 'udp_gaussian_heatmaps', 'udp_offset_heatmaps',
    'unbiased_gaussian_heatmaps', 'decode_udp_combined', 'gaussian_blur', 'heatmap_argmax',
    'refine_dark', 'refine_dark_udp', 'refine_quarter_offset'
]
