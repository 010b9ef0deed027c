# HRNet's schedule (Sun et al., CVPR 2019, Sec. 4.1): Adam, lr 1e-3 divided by 10 at epochs 170
# and 200 of 210. mmpose trains with lr 5e-4 at batch 512 and a linear warm-up.
train_cfg = dict(by_epoch=True, max_epochs=210, val_interval=10)
val_cfg = dict()
test_cfg = dict()

optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),  # warm-up
    dict(type='MultiStepLR', begin=0, end=210, milestones=[170, 200], gamma=0.1, by_epoch=True),
]

# `--auto-scale-lr` rescales lr by (GPUs x batch per GPU) / base_batch_size.
auto_scale_lr = dict(base_batch_size=512)  # 8 GPUs x 64 = 512
