# PoseTrack18 (17 keypoints, COCO-like), top-down on single video frames, with COCO's
# augmentation. Layout under `data_root` (mmpose's):
#   annotations/posetrack18_{train,val}.json   (all videos of a split in one COCO-style file)
#   annotations/posetrack18_val_human_detections.json
#   images/{train,val}/<video>/<frame>.jpg     (file names in the json start with images/)
_base_ = ['./topdown.py']

dataset_type = 'hrnet_plugin.ValidatedPoseTrack18Dataset'
data_root = 'data/posetrack18/'

train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, data_prefix=dict(
    img=''), ann_file='annotations/posetrack18_train.json'))
# Ground-truth boxes, the setting of the reference mAP. For detected boxes add
# bbox_file=data_root + 'annotations/posetrack18_val_human_detections.json' and
# filter_cfg=dict(bbox_score_thr=0.4) (mmpose's values).
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, data_prefix=dict(
    img=''), ann_file='annotations/posetrack18_val.json'))
test_dataloader = val_dataloader

val_evaluator = dict(type='hrnet_plugin.PoseTrack18Metric',
                     ann_file=data_root + 'annotations/posetrack18_val.json')
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='posetrack18/Total AP'))
