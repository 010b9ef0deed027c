from .dark_refinement import refine_dark, refine_dark_udp
from .gaussian_targets import (
                               msra_gaussian_heatmaps,
                               udp_gaussian_heatmaps,
                               udp_offset_heatmaps,
                               unbiased_gaussian_heatmaps,
)
from .heatmap_blur import blur_reflect_border, blur_with_max_factor, blur_zero_border
from .heatmap_decoding import (
                               decode_udp_combined,
                               heatmap_argmax,
                               refine_on_host,
                               refine_quarter_offset,
)

__all__ = [
    'msra_gaussian_heatmaps', 'udp_gaussian_heatmaps', 'udp_offset_heatmaps',
    'unbiased_gaussian_heatmaps', 'decode_udp_combined', 'heatmap_argmax', 'refine_on_host',
    'refine_quarter_offset', 'refine_dark', 'refine_dark_udp', 'blur_zero_border',
    'blur_reflect_border', 'blur_with_max_factor'
]
