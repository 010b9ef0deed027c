from .hrnet import HRNet
from .hrnet_presets import hrnet_extra

__all__ = ['HRNet', 'hrnet_extra']
