"""mmpose's ``MpiiDataset`` with its inputs checked up front."""
from typing import Any

from mmpose.datasets import MpiiDataset

from hrnet_plugin.registry import DATASETS

from .input_validation import InputValidationMixin, check_mpii_annotations
from .mpii_headboxes import read_mpii_headbox_mat


@DATASETS.register_module()
class ValidatedMpiiDataset(InputValidationMixin, MpiiDataset):
    """MPII (16 joints) as mmpose's ``MpiiDataset`` loads it, with the checks of
    :class:`~hrnet_plugin.datasets.input_validation.InputValidationMixin` for MPII's json, plus
    one head box per annotated person in ``headbox_file`` (mmpose pairs them by position).

    Takes the arguments of ``MpiiDataset``.
    """

    def check_annotation_file(self, content: Any) -> None:
        """Check the MPII json and the head boxes; MPII has no COCO image ids."""
        count = check_mpii_annotations(content, self.ann_file, self.metainfo['num_keypoints'])
        if self.headbox_file:
            num_boxes = len(read_mpii_headbox_mat(self.headbox_file))
            if num_boxes != count:
                raise ValueError(f'headbox_file {self.headbox_file} holds {num_boxes} head boxes '
                                 f'for the {count} persons of {self.ann_file}')
