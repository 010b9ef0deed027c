# HRNet-W48, 256x192 input, 8 GPUs x 32 images as mmpose trains it (paper: 75.1 AP).
_base_ = [
    '../_base_/models/hrnet-w48.py', '../_base_/datasets/coco.py',
    '../_base_/schedules/adam-210e.py'
]

codec = dict(
    type='hrnet_plugin.MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

model = dict(head=dict(out_channels=17, decoder=codec))
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=[
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
