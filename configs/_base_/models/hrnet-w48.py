# HRNet-W48: HRNet-W32 with branch widths C, 2C, 4C, 8C for C = 48, and its ImageNet weights
# (offline: point `model.backbone.init_cfg.checkpoint` to a local copy, see hrnet-w32.py).
_base_ = ['./hrnet-w32.py']

model = dict(
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(48, 96)),
            stage3=dict(num_channels=(48, 96, 192)),
            stage4=dict(num_channels=(48, 96, 192, 384))),
        init_cfg=dict(checkpoint='https://download.openmmlab.com/mmpose/pretrain_models/'
                      'hrnet_w48-8ef0771d.pth')),
    head=dict(in_channels=48),
)
