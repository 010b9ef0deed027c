# HRNet-W48, 256x192 input, PoseTrack18: 20 epochs fine-tuning from mmpose's COCO model.
_base_ = [
    '../_base_/models/hrnet-w48.py', '../_base_/datasets/posetrack18.py',
    '../_base_/schedules/adam-20e.py'
]

# All weights come from the COCO checkpoint (offline: set `load_from` to a local copy).
load_from = ('https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/topdown_heatmap/coco/'
             'td-hm_hrnet-w48_8xb32-210e_coco-256x192-0e67c616_20220913.pth')

codec = dict(
    type='hrnet_plugin.MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

model = dict(backbone=dict(init_cfg=None), head=dict(out_channels=17, decoder=codec))
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.train_before_crop,
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]))
val_dataloader = dict(dataset=dict(pipeline=[
    *_base_.val_before_crop,
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs'),
]))
test_dataloader = val_dataloader
