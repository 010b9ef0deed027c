from .backbones import HRNet
from .heads import HeatmapHead
from .utils import flip_heatmaps

__all__ = ['HRNet', 'HeatmapHead', 'flip_heatmaps']
