# HRNet-W32, 256x256 input, MPII, 8 GPUs x 64 images, 210 epochs (PCKh@0.5: 90.3 in the
# original repository).
_base_ = [
    '../_base_/models/hrnet-w32.py', '../_base_/datasets/mpii.py',
    '../_base_/schedules/adam-210e.py'
]

codec = dict(
    type='hrnet_plugin.MSRAHeatmap', input_size=(256, 256), heatmap_size=(64, 64), sigma=2)

model = dict(head=dict(out_channels=16, decoder=codec))
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
