"""The plugin -> mmpose type mapping builds mmpose's own components from our config."""
import copy

from mmpose.models.backbones import HRNet as MMPoseHRNet
from mmpose.models.heads import HeatmapHead as MMPoseHeatmapHead
from mmpose.models.pose_estimators import TopdownPoseEstimator as MMPoseTopdown

from hrnet_plugin.benchmark.mmpose_configs import OUR_ESTIMATOR, mmpose_types, with_model
from hrnet_plugin.models import HeatmapHead, HRNet
from tests.models.tiny_topdown import build_model, tiny_model_cfg


def test_mmpose_types_build_mmpose_components():
    ours_cfg = tiny_model_cfg(channels_last=True, amp_dtype='bfloat16')
    kept = copy.deepcopy(ours_cfg)
    mmpose_cfg = mmpose_types(ours_cfg)
    assert ours_cfg == kept                                   # the input is not changed
    assert 'channels_last' not in mmpose_cfg and 'amp_dtype' not in mmpose_cfg
    assert mmpose_cfg['head']['loss'] == ours_cfg['head']['loss']   # shared types stay
    ours, theirs = build_model(ours_cfg), build_model(mmpose_cfg)
    assert type(theirs) is MMPoseTopdown and type(ours) is not MMPoseTopdown
    assert type(theirs.backbone) is MMPoseHRNet and type(ours.backbone) is HRNet
    assert type(theirs.head) is MMPoseHeatmapHead and type(ours.head) is HeatmapHead
    assert type(theirs.head.decoder).__module__.startswith('mmpose')
    assert list(theirs.state_dict()) == list(ours.state_dict())


def test_with_model_updates_a_copy():
    cfg = dict(model=dict(type='TopdownPoseEstimator', test_cfg=dict(flip_test=True)))
    changed = with_model(cfg, type=OUR_ESTIMATOR, channels_last=True)
    assert changed.model.type == OUR_ESTIMATOR and changed.model.channels_last
    assert changed.model.test_cfg.flip_test
    assert cfg['model'] == dict(type='TopdownPoseEstimator', test_cfg=dict(flip_test=True))
