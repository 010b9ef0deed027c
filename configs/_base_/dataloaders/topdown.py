# Top-down data loading shared by the dataset bases beside this file: one sample per person box.
# The dataset bases add the dataset, its paths and its metric; a leaf config completes the
# pipelines with the steps of its codec (crop, heatmap targets, packing) through
# `hrnet_plugin.datasets.codec_settings`, which reads the three fields below.
#
# (These files are not named configs/_base_/datasets/*.py: mmpose's datasets look for their
# keypoint metadata at that path relative to the working directory before their own copy.)
_base_ = ['../default_runtime.py']

num_keypoints = 17  # heatmaps the head predicts; the dataset bases set their own

# Steps before the affine crop, COCO's augmentation (mmpose's and HRNet's): random flip, half
# body, scale, rotation and shift of the box. A training image that cannot be decoded is skipped
# (and logged); at evaluation it is an error, since skipping would change the metric.
train_before_crop = [
    dict(type='hrnet_plugin.LoadImageOrSkip'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
]
val_before_crop = [dict(type='LoadImage'), dict(type='GetBBoxCenterScale')]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(data_mode='topdown'))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(data_mode='topdown', test_mode=True))
test_dataloader = val_dataloader
