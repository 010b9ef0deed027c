# HRNet-W32 256x192 with UDP (Huang et al., "The Devil is in the Details: Delving into Unbiased
# Data Processing for Human Pose Estimation", CVPR 2020): image and heatmap coordinates are
# related by (size - 1) ratios in the crop, the targets and the decoding.
_base_ = ['./td-hm_hrnet-w32_8xb64-210e_coco-256x192.py']

codec = dict(
    type='hrnet_plugin.UDPHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

# An unbiased flip is already aligned with the original heatmap: no one-pixel shift.
model = dict(head=dict(decoder=codec), test_cfg=dict(shift_heatmap=False))
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.train_before_crop,
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]))
val_dataloader = dict(dataset=dict(pipeline=[
    *_base_.val_before_crop,
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs'),
]))
test_dataloader = val_dataloader
