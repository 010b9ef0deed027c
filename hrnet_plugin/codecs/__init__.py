from .msra_heatmap import MSRAHeatmap
from .udp_heatmap import UDPHeatmap

__all__ = ['MSRAHeatmap', 'UDPHeatmap']
