# A small HRNet for the quickstart, trained from scratch in minutes on a CPU: HRNet's four stages
# with branch widths 24-192 (W24), one module per stage and one block per branch: 1.6M parameters
# (HRNet-W32: 28.5M).
_base_ = ['./hrnet-w32.py']

model = dict(
    # channels_last convolutions are faster with oneDNN on CPUs.
    channels_last=True,
    backbone=dict(
        extra=dict(
            stage1=dict(num_blocks=(1, ), num_channels=(32, )),
            stage2=dict(num_blocks=(1, 1), num_channels=(24, 48)),
            stage3=dict(num_modules=1, num_blocks=(1, 1, 1), num_channels=(24, 48, 96)),
            stage4=dict(num_modules=1, num_blocks=(1, 1, 1, 1), num_channels=(24, 48, 96, 192))),
        init_cfg=None),  # from scratch: the synthetic people need no ImageNet features
    head=dict(in_channels=24))
