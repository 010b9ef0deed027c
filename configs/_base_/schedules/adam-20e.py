# Fine-tuning schedule of mmpose's PoseTrack18 configs (from a COCO checkpoint, `load_from`):
# 20 epochs, lr divided by 10 at epochs 10 and 15, validation after every epoch.
_base_ = ['./adam-210e.py']

train_cfg = dict(max_epochs=20, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),  # warm-up
    dict(type='MultiStepLR', begin=0, end=20, milestones=[10, 15], gamma=0.1, by_epoch=True),
]
