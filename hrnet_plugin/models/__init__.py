from .backbones import HRNet
from .heads import HeatmapHead
from .pose_estimators import TopdownPoseEstimator

__all__ = ['HRNet', 'HeatmapHead', 'TopdownPoseEstimator']
