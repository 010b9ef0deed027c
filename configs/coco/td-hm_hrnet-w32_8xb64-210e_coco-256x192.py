# HRNet-W32, 256x192 input, COCO, 8 GPUs x 64 images, 210 epochs (paper: 74.4 AP on val2017).
_base_ = [
    '../_base_/models/hrnet-w32.py', '../_base_/datasets/coco.py',
    '../_base_/schedules/adam-210e.py'
]

# Heatmaps at 1/4 of the input; sigma 2 heatmap pixels (HRNet's value at this size).
codec = dict(
    type='hrnet_plugin.MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

model = dict(head=dict(out_channels=17, decoder=codec))
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
