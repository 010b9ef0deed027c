# HRNet-W32 256x192 with DARK (Zhang et al., "Distribution-Aware Coordinate Representation for
# Human Pose Estimation", CVPR 2020): unbiased Gaussian targets centred at the sub-pixel keypoint
# and Taylor-expansion refinement of the decoded maximum.
_base_ = ['./td-hm_hrnet-w32_8xb64-210e_coco-256x192.py']

codec = dict(_base_.codec, unbiased=True)

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
