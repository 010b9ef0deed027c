# MPII Human Pose (16 joints), top-down on the annotated person centres and scales. Layout
# under `data_root` (mmpose's):
#   annotations/mpii_{train,val}.json   annotations/mpii_gt_val.mat (head boxes, for PCKh)
#   images/*.jpg
# Leaf configs complete the pipelines with the codec-dependent steps.
#
# Inherits mmpose's metadata file for the reason given in coco.py (MpiiDataset reads
# `configs/_base_/datasets/mpii.py`).
_base_ = ['../default_runtime.py', 'mmpose::_base_/datasets/mpii.py']

dataset_type = 'hrnet_plugin.ValidatedMpiiDataset'
data_mode = 'topdown'
data_root = 'data/mpii/'

# MPII boxes are derived from annotated centres and scales: scaled and rotated, never shifted.
train_before_crop = [
    dict(type='hrnet_plugin.LoadImageOrSkip'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_prob=0),
]
val_before_crop = [dict(type='LoadImage'), dict(type='GetBBoxCenterScale')]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/mpii_train.json',
        data_prefix=dict(img='images/'),
    ))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/mpii_val.json',
        # Not joined with data_root by mmpose: override it together with data_root.
        headbox_file=data_root + 'annotations/mpii_gt_val.mat',
        data_prefix=dict(img='images/'),
        test_mode=True,
    ))
test_dataloader = val_dataloader

# PCKh: `PCK` is PCKh@0.5 (the MPII benchmark's number), `PCK@0.1` the stricter threshold.
val_evaluator = dict(type='MpiiPCKAccuracy', thr=0.5, norm_item='head')
test_evaluator = val_evaluator

default_hooks = dict(checkpoint=dict(save_best='PCK'))
