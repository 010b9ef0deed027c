# Quickstart (tools/quickstart.py): a small HRNet (W24, 1.6M parameters) trained from scratch for
# 4.5 minutes on a 2-core CPU (5 with data and evaluation), on the synthetic people of
# `hrnet_plugin.synthetic`, with 96x64 crops and DARK heatmaps of 24x16.
#
# Training is time-boxed: `TimeBudgetHook` measures the speed and sets max_iters (an upper bound
# here) to what fits in its `minutes`, stretching the cosine schedule to match.
#   python tools/quickstart.py --out-dir work_dirs/quickstart          # data, training, report
#   python tools/train.py CONFIG    # after the quickstart made the data under `data_root`
#
# What each choice bought is measured in docs/quickstart.md, at a fixed number of iterations.
_base_ = ['../_base_/models/hrnet-w24-tiny.py', '../_base_/dataloaders/synthetic.py']
from hrnet_plugin.datasets import codec_settings

# 96x64 crops (the synthetic people's height:width is about 3:2) cost half of 128x96 and reach a
# higher AP in the same time; sigma 1 at this heatmap size (a heatmap pixel is 4 input pixels)
# learns faster and more precisely than 1.5 or 2 (docs/quickstart.md).
codec = dict(type='hrnet_plugin.MSRAHeatmap', input_size=(64, 96), heatmap_size=(16, 24),
             sigma=1, unbiased=True)
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)

max_iters = 5000
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
    # 4.5 minutes: with data generation and the final evaluations the quickstart takes about 5
    # on 2 cores, and stays within 6 where they take twice as long. Each validation costs about
    # 10 iterations: 3 of them.
    dict(type='hrnet_plugin.TimeBudgetHook', minutes=4.5, num_evaluations=3),
    dict(type='hrnet_plugin.ProgressBarHook'),
]
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
