from .topdown_pose_estimator import TopdownPoseEstimator

__all__ = ['TopdownPoseEstimator']
