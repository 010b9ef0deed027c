"""mmpose's ``CocoDataset`` with its inputs checked up front."""
from mmpose.datasets import CocoDataset

from hrnet_plugin.registry import DATASETS

from .input_validation import InputValidationMixin


@DATASETS.register_module()
class ValidatedCocoDataset(InputValidationMixin, CocoDataset):
    """COCO person keypoints (17 keypoints) as mmpose's ``CocoDataset`` loads them, with the
    checks of :class:`~hrnet_plugin.datasets.input_validation.InputValidationMixin`.

    Takes the arguments of ``CocoDataset``.
    """
