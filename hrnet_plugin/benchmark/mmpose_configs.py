"""The same config with mmpose's components in place of the plugin's, for side-by-side runs."""
import copy

from mmengine.config import Config

OUR_ESTIMATOR = 'hrnet_plugin.TopdownPoseEstimator'
# The plugin's components and mmpose's counterparts, which take the same arguments (our
# estimator's extra options dropped). Other types are shared by both sides.
MMPOSE_TYPES = {'hrnet_plugin.HRNet': 'HRNet', 'hrnet_plugin.HeatmapHead': 'HeatmapHead',
                'hrnet_plugin.MSRAHeatmap': 'MSRAHeatmap', 'hrnet_plugin.UDPHeatmap': 'UDPHeatmap',
                OUR_ESTIMATOR: 'TopdownPoseEstimator',
                'hrnet_plugin.LoadImageOrSkip': 'LoadImage'}
OUR_ONLY_ARGS = {OUR_ESTIMATOR: ('channels_last', 'amp_dtype')}


def mmpose_types(node):
    """A copy of a config node (dict, list, tuple, value) with the plugin's components
    replaced by mmpose's (``MMPOSE_TYPES``) and the arguments only ours takes dropped."""
    if isinstance(node, dict):
        drop = OUR_ONLY_ARGS.get(node.get('type'), ())
        out = {k: mmpose_types(v) for k, v in node.items() if k not in drop}
        if isinstance(out.get('type'), str):
            out['type'] = MMPOSE_TYPES.get(out['type'], out['type'])
        return out
    if isinstance(node, (list, tuple)):
        return type(node)(mmpose_types(v) for v in node)
    return node


def with_model(cfg: dict, **changes) -> Config:
    """A Config whose model dict is updated by ``changes`` (``cfg`` untouched)."""
    cfg = copy.deepcopy(cfg)
    cfg['model'].update(changes)
    return Config(cfg)
