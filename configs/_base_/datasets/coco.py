# COCO 2017 person keypoints (17 keypoints), top-down: one sample per person box. Layout under
# `data_root` (mmpose's):
#   annotations/person_keypoints_{train,val}2017.json
#   person_detection_results/COCO_val2017_detections_AP_H_56_person.json
#   train2017/*.jpg  val2017/*.jpg
# Leaf configs complete the pipelines with the codec-dependent steps (crop to the codec's input
# size, heatmap targets) and set the batch size of their name.
#
# mmpose's CocoDataset reads its keypoint metadata from the relative path of this very file
# (`configs/_base_/datasets/coco.py`, tried before mmpose's own copy), so from this repository's
# root it would load this file: inheriting mmpose's metadata file keeps `dataset_info` in it.
_base_ = ['../default_runtime.py', 'mmpose::_base_/datasets/coco.py']

# mmpose's CocoDataset plus up-front checks of annotations, boxes and images.
dataset_type = 'hrnet_plugin.ValidatedCocoDataset'
data_mode = 'topdown'
data_root = 'data/coco/'

# Steps before the affine crop. A training image that cannot be decoded is skipped (and
# logged); at evaluation it is an error, since skipping would change the metric.
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
        ann_file='annotations/person_keypoints_train2017.json',
        data_prefix=dict(img='train2017/'),
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
        ann_file='annotations/person_keypoints_val2017.json',
        # Person boxes of the detector used by HRNet (person AP 56.4 on val2017); set
        # `bbox_file=None` to evaluate on the ground-truth boxes instead.
        bbox_file=data_root + 'person_detection_results/'
        'COCO_val2017_detections_AP_H_56_person.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
    ))
test_dataloader = val_dataloader

# Without `ann_file`, CocoMetric loads the ground truth of the evaluated dataset (mmpose's
# datasets publish their annotation file), so overriding the dataset's paths is enough.
val_evaluator = dict(type='CocoMetric')
test_evaluator = val_evaluator

default_hooks = dict(checkpoint=dict(save_best='coco/AP'))
