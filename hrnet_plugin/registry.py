"""Every registry of the plugin: children of mmpose's (and mmengine's) in the scope
``hrnet_plugin``.

A config names our components ``hrnet_plugin.HRNet``; mmpose's root registries resolve the
scope prefix to these children, so mmpose's own ``HRNet`` stays available under its plain name
for side-by-side comparison. ``import hrnet_plugin`` imports every module that registers into
them, so ``custom_imports=dict(imports=['hrnet_plugin'])`` is all a config needs.
"""
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import Registry
from mmpose.registry import DATASETS as MMPOSE_DATASETS
from mmpose.registry import HOOKS as MMPOSE_HOOKS
from mmpose.registry import KEYPOINT_CODECS as MMPOSE_KEYPOINT_CODECS
from mmpose.registry import METRICS as MMPOSE_METRICS
from mmpose.registry import MODELS as MMPOSE_MODELS
from mmpose.registry import TRANSFORMS as MMPOSE_TRANSFORMS

SCOPE = 'hrnet_plugin'

MODELS = Registry(
    'model', parent=MMPOSE_MODELS, scope=SCOPE, locations=['hrnet_plugin.models'])
KEYPOINT_CODECS = Registry(
    'KEYPOINT_CODECS', parent=MMPOSE_KEYPOINT_CODECS, scope=SCOPE,
    locations=['hrnet_plugin.codecs'])
METRICS = Registry(
    'metric', parent=MMPOSE_METRICS, scope=SCOPE, locations=['hrnet_plugin.evaluation'])
DATASETS = Registry(
    'dataset', parent=MMPOSE_DATASETS, scope=SCOPE, locations=['hrnet_plugin.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMPOSE_TRANSFORMS, scope=SCOPE, locations=['hrnet_plugin.datasets'])
HOOKS = Registry('hook', parent=MMPOSE_HOOKS, scope=SCOPE,
                 locations=['hrnet_plugin.engine', 'hrnet_plugin.checkpoint'])
# mmengine's Runner looks model wrappers up in its root registry, which only resolves the
# scopes of its direct children: this one hangs from mmengine's root, not from mmpose's.
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, scope=SCOPE,
    locations=['hrnet_plugin.engine'])
