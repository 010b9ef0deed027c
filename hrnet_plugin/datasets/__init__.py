from .input_validation import InputValidationMixin
from .load_image_or_skip import LoadImageOrSkip
from .validated_coco_dataset import ValidatedCocoDataset
from .validated_mpii_dataset import ValidatedMpiiDataset
from .validated_posetrack18_dataset import ValidatedPoseTrack18Dataset

__all__ = [
    'InputValidationMixin', 'LoadImageOrSkip', 'ValidatedCocoDataset', 'ValidatedMpiiDataset',
    'ValidatedPoseTrack18Dataset',
]
