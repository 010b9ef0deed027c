# Runtime shared by every config: mmpose's registries by default, the plugin's components
# registered under the `hrnet_plugin.` prefix (imported before anything is built).
default_scope = 'mmpose'
custom_imports = dict(imports=['hrnet_plugin'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Each dataset base names the metric to keep the best checkpoint by (`save_best`).
    # mmengine's CheckpointHook, saving atomically and resuming from the last complete
    # checkpoint after a crash.
    checkpoint=dict(type='hrnet_plugin.ResumableCheckpointHook', interval=10, rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='PoseVisualizationHook', enable=False),
    # `load_from` and `resume` refuse checkpoints whose weights do not fit the model (mmengine
    # would load what fits and log the rest); `strict=False` loads the fitting part on purpose.
    strict_load=dict(type='hrnet_plugin.StrictLoadHook'),
)
# BatchNorm running statistics differ across ranks; average them at the end of every epoch so
# that the saved (rank-0) model matches what every rank evaluates.
custom_hooks = [dict(type='SyncBuffersHook')]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # nccl on GPUs; tools/train.py and tools/test.py create a gloo group themselves on CPUs.
    dist_cfg=dict(backend='nccl'),
)

visualizer = dict(
    type='PoseLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')], name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True, num_digits=6)
log_level = 'INFO'
load_from = None
resume = False
backend_args = dict(backend='local')
