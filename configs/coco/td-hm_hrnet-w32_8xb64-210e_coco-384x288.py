# HRNet-W32, 384x288 input (paper: 75.8 AP on COCO val2017).
_base_ = ['./td-hm_hrnet-w32_8xb64-210e_coco-256x192.py']

# Heatmaps at 1/4 of the input; sigma 3 heatmap pixels, HRNet's value at this size.
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
