# MPII Human Pose (16 joints), top-down on the annotated person centres and scales. Layout
# under `data_root` (mmpose's):
#   annotations/mpii_{train,val}.json   annotations/mpii_gt_val.mat (head boxes, for PCKh)
#   images/*.jpg
_base_ = ['./topdown.py']

num_keypoints = 16
dataset_type = 'hrnet_plugin.ValidatedMpiiDataset'
data_root = 'data/mpii/'

# MPII boxes are derived from annotated centres and scales: scaled and rotated, never shifted,
# and no half-body crops (mmpose's and HRNet's MPII augmentation).
train_before_crop = [
    dict(type='hrnet_plugin.LoadImageOrSkip'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_prob=0),
]

train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root,
                                     ann_file='annotations/mpii_train.json',
                                     data_prefix=dict(img='images/')))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root,
                                   ann_file='annotations/mpii_val.json',
                                   data_prefix=dict(img='images/'),
                                   # Not joined with data_root by mmpose: override both.
                                   headbox_file=data_root + 'annotations/mpii_gt_val.mat'))
test_dataloader = val_dataloader

# PCKh: `PCK` is PCKh@0.5 (the MPII benchmark's number), `PCK@0.1` the stricter threshold.
val_evaluator = dict(type='MpiiPCKAccuracy', thr=0.5, norm_item='head')
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='PCK'))
