"""Datasets and transforms of the plugin (``hrnet_plugin.<Name>`` in configs): mmpose's datasets
with their inputs checked up front, MPII head-box files, and the settings that config files
derive from their codec (``codec_settings``)."""
from .codec_settings import CodecSettings, codec_settings
from .input_validation import InputValidationMixin
from .load_image_or_skip import LoadImageOrSkip
from .mpii_headboxes import read_mpii_headbox_mat, write_mpii_headbox_mat
from .validated_coco_dataset import ValidatedCocoDataset
from .validated_mpii_dataset import ValidatedMpiiDataset
from .validated_posetrack18_dataset import ValidatedPoseTrack18Dataset

__all__ = [
    'CodecSettings', 'InputValidationMixin', 'LoadImageOrSkip', 'ValidatedCocoDataset',
    'ValidatedMpiiDataset', 'ValidatedPoseTrack18Dataset', 'codec_settings',
    'read_mpii_headbox_mat', 'write_mpii_headbox_mat',
]
