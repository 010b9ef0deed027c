from .backbones import HRNet
from .heads import HeatmapHead
from .pose_estimators import TopdownPoseEstimator
from .utils import flip_heatmaps

__all__ = ['HRNet', 'HeatmapHead', 'TopdownPoseEstimator', 'flip_heatmaps']
