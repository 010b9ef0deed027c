# Quickstart (tools/quickstart.py): a small HRNet trained from scratch for 5 minutes on a 2-core
# CPU, on the synthetic people of `hrnet_plugin.datasets.synthetic` (COCO format, 17 keypoints).
# HRNet's four stages with branch widths 24-192 (W24), one module per stage and one block per
# branch: 1.6M parameters (HRNet-W32: 28.5M), 128x96 crops, DARK heatmaps of 32x24.
#
# Training is time-boxed: `TimeBudgetHook` measures the speed and sets max_iters (an upper bound
# here) to what fits in its `minutes`, stretching the cosine schedule to match.
#   python tools/quickstart.py --out-dir work_dirs/quickstart          # data, training, report
#   python tools/train.py CONFIG    # after the quickstart made the data under `data_root`
_base_ = ['../_base_/models/hrnet-w32.py', '../_base_/datasets/coco.py']
# The hooks below (`import hrnet_plugin` does not import them).
custom_imports = dict(imports=['hrnet_plugin', 'hrnet_plugin.engine'], allow_failed_imports=False)

data_root = 'work_dirs/quickstart/data/'
max_iters = 5000
codec = dict(type='hrnet_plugin.MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32),
             sigma=2, unbiased=True)

model = dict(
    # The plugin's estimator: the flip test in one backbone pass; channels_last convolutions
    # are faster with oneDNN on CPUs.
    type='hrnet_plugin.TopdownPoseEstimator',
    channels_last=True,
    backbone=dict(
        extra=dict(
            stage1=dict(num_blocks=(1, ), num_channels=(32, )),
            stage2=dict(num_blocks=(1, 1), num_channels=(24, 48)),
            stage3=dict(num_modules=1, num_blocks=(1, 1, 1), num_channels=(24, 48, 96)),
            stage4=dict(num_modules=1, num_blocks=(1, 1, 1, 1), num_channels=(24, 48, 96, 192))),
        init_cfg=None),  # from scratch: the synthetic people need no ImageNet features
    head=dict(in_channels=24, out_channels=17, decoder=codec))

# Milder augmentation than COCO's: a few minutes of training cannot absorb rotations and half
# bodies (600 iterations with rotations up to 30 degrees, and lr 2e-3, ended 0.06 AP lower), and
# the generator already poses its figures at random. Flips keep left and right right.
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', scale_factor=(0.75, 1.25), rotate_factor=0),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    *_base_.val_before_crop,
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs'),
]
val_data = dict(data_root=data_root, ann_file='annotations/person_keypoints_val.json',
                data_prefix=dict(img='images/val/'), pipeline=val_pipeline)

# One worker process: loading overlaps the model's step. tools/quickstart.py makes OpenMP threads
# wait passively, so torch's two threads do not starve it (nor get starved by other programs).
train_dataloader = dict(
    batch_size=32, num_workers=1,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(data_root=data_root, ann_file='annotations/person_keypoints_train.json',
                 data_prefix=dict(img='images/train/'), pipeline=train_pipeline))
# Validation on the annotated boxes (the AP of the keypoints alone), test on the detections.
val_dataloader = dict(batch_size=64, num_workers=1, dataset=dict(**val_data, bbox_file=None))
test_dataloader = dict(
    batch_size=64, num_workers=1,
    dataset=dict(**val_data, bbox_file=data_root + 'annotations/val_detections.json'))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict()
test_cfg = dict()
# A high rate for a short run from scratch (mmpose: 5e-4 for batches of 512).
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),  # warm-up
    dict(type='CosineAnnealingLR', begin=50, end=max_iters, eta_min_ratio=0.01, by_epoch=False),
]

default_hooks = dict(
    # Validation metrics are logged against the iteration (mmengine's default is the epoch).
    logger=dict(interval=20, log_metric_by_epoch=False),
    # Frequent small checkpoints: an interrupted run loses little (`--resume`).
    checkpoint=dict(by_epoch=False, interval=100, max_keep_ckpts=2, save_best=None))
custom_hooks = [
    *_base_.custom_hooks,
    # 5 minutes: with data generation and evaluation the quickstart takes about 5.5 on 2 cores.
    # Each validation costs about 10 iterations: 3 of them.
    dict(type='hrnet_plugin.TimeBudgetHook', minutes=5, num_evaluations=3),
    dict(type='hrnet_plugin.ProgressBarHook'),
]
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
