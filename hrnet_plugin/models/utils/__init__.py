from .flip import flip_heatmaps

__all__ = ['flip_heatmaps']
