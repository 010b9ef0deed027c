"""mmpose's ``PoseTrack18Dataset`` with its inputs checked up front."""
from mmpose.datasets import PoseTrack18Dataset

from hrnet_plugin.registry import DATASETS

from .input_validation import InputValidationMixin


@DATASETS.register_module()
class ValidatedPoseTrack18Dataset(InputValidationMixin, PoseTrack18Dataset):
    """PoseTrack18 frames (17 keypoints, COCO-style json) as mmpose's ``PoseTrack18Dataset``
    loads them, with the checks of
    :class:`~hrnet_plugin.datasets.input_validation.InputValidationMixin`.

    Takes the arguments of ``PoseTrack18Dataset``.
    """
