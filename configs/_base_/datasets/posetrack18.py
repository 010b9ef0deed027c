# PoseTrack18 (17 keypoints, COCO-like), top-down on single video frames. Layout under
# `data_root` (mmpose's):
#   annotations/posetrack18_{train,val}.json   (all videos of a split in one COCO-style file)
#   annotations/posetrack18_val_human_detections.json
#   images/{train,val}/<video>/<frame>.jpg     (file names in the json start with images/)
# Leaf configs complete the pipelines with the codec-dependent steps.
#
# Inherits mmpose's metadata file for the reason given in coco.py (PoseTrack18Dataset reads
# `configs/_base_/datasets/posetrack18.py`).
_base_ = ['../default_runtime.py', 'mmpose::_base_/datasets/posetrack18.py']

dataset_type = 'hrnet_plugin.ValidatedPoseTrack18Dataset'
data_mode = 'topdown'
data_root = 'data/posetrack18/'

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
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/posetrack18_train.json',
        data_prefix=dict(img=''),
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
        ann_file='annotations/posetrack18_val.json',
        # Ground-truth boxes, the setting of the reference mAP. For detected boxes add
        # bbox_file=data_root + 'annotations/posetrack18_val_human_detections.json' and
        # filter_cfg=dict(bbox_score_thr=0.4) (mmpose's values).
        data_prefix=dict(img=''),
        test_mode=True,
    ))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='hrnet_plugin.PoseTrack18Metric', ann_file=data_root + 'annotations/posetrack18_val.json')
test_evaluator = val_evaluator

default_hooks = dict(checkpoint=dict(save_best='posetrack18/Total AP'))
