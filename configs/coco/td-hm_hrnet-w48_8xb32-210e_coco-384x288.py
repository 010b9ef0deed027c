# HRNet-W48, 384x288 input (paper: 76.3 AP on COCO val2017).
_base_ = ['./td-hm_hrnet-w48_8xb32-210e_coco-256x192.py']

codec = dict(
    type='hrnet_plugin.MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=3)

model = dict(head=dict(decoder=codec))
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
