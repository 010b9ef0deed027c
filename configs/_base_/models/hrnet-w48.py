# HRNet-W48 as a change of HRNet-W32 (hrnet-w32.py): branch widths C, 2C, 4C, 8C for C = 48, and
# its ImageNet weights (offline: point `model.backbone.init_cfg.checkpoint` to a local copy).
#
# A W48 config inherits its W32 twin and this file, and sets `model = _base_.hrnet_w48`: the
# change is a variable, not `model` itself, because mmengine refuses a key defined by two bases.
hrnet_w48 = dict(
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(48, 96)),
            stage3=dict(num_channels=(48, 96, 192)),
            stage4=dict(num_channels=(48, 96, 192, 384))),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmpose/pretrain_models/'
            'hrnet_w48-8ef0771d.pth')),
    head=dict(in_channels=48),
)
