"""``codec_settings`` rebuilds what mmpose's own configs write out for each codec."""
import copy

import pytest

from hrnet_plugin.datasets import codec_settings

from .mmpose_grid import mmpose_config, published_models, skip_reason

GRID = sorted(name for name in published_models() if not skip_reason(name))
BASE = {'num_keypoints': 17, 'train_before_crop': [dict(type='LoadImage')],
        'val_before_crop': [dict(type='LoadImage'), dict(type='GetBBoxCenterScale')]}
MSRA = dict(type='hrnet_plugin.MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64),
            sigma=2)


@pytest.mark.parametrize('name', GRID)
def test_crop_targets_and_head_as_in_mmpose(name):
    """Given an mmpose config's codec and its steps before the crop, the settings end the
    pipelines and configure the head and the flip test exactly as that config does."""
    cfg = mmpose_config(name)
    train, val = cfg.train_dataloader.dataset.pipeline, cfg.val_dataloader.dataset.pipeline
    crop = [step.type for step in train].index('TopdownAffine')
    base = {'num_keypoints': cfg.model.head.out_channels, 'train_before_crop': train[:crop],
            'val_before_crop': val[:[step.type for step in val].index('TopdownAffine')]}
    settings = codec_settings(base, cfg.codec)
    assert settings.train_dataloader['dataset']['pipeline'] == train
    assert settings.val_dataloader['dataset']['pipeline'] == val
    assert settings.test_dataloader['dataset']['pipeline'] == cfg.test_dataloader.dataset.pipeline
    head = settings.model['head']
    assert (head['out_channels'], head['decoder']) == (cfg.model.head.out_channels, cfg.codec)
    assert settings.model['test_cfg']['shift_heatmap'] == cfg.model.test_cfg.shift_heatmap


def test_udp_crops_without_bias_and_flips_without_shift():
    settings = codec_settings(BASE, dict(MSRA, type='hrnet_plugin.UDPHeatmap'))
    affine = [step for step in settings.val_dataloader['dataset']['pipeline']
              if step['type'] == 'TopdownAffine']
    assert affine == [dict(type='TopdownAffine', input_size=(192, 256), use_udp=True)]
    assert settings.model['test_cfg'] == {'shift_heatmap': False}
    msra = codec_settings(BASE, MSRA)
    assert msra.model['test_cfg'] == {'shift_heatmap': True}
    assert 'use_udp' not in msra.train_dataloader['dataset']['pipeline'][1]


def test_results_share_nothing_with_the_inputs():
    base, codec = copy.deepcopy(BASE), dict(MSRA)
    settings = codec_settings(base, codec)
    train = settings.train_dataloader['dataset']['pipeline']
    train[0]['type'] = 'changed'
    train[-2]['encoder']['sigma'] = 3
    settings.val_dataloader['dataset']['pipeline'][-1]['type'] = 'changed'
    assert base == BASE and codec == MSRA
    assert settings.model['head']['decoder']['sigma'] == 2
    assert settings.test_dataloader['dataset']['pipeline'][-1] == dict(type='PackPoseInputs')


@pytest.mark.parametrize('base, codec, error, message', [
    ({'num_keypoints': 17}, MSRA, KeyError,
     r"lacks \['train_before_crop', 'val_before_crop'\]; the dataset bases in "
     r'configs/_base_/dataloaders/'),
    (BASE, dict(type='hrnet_plugin.MSRAHeatmap', sigma=2), KeyError,
     r"codec \{'type': 'hrnet_plugin.MSRAHeatmap', 'sigma': 2\} lacks \['input_size'\]"),
    (BASE, dict(MSRA, type='SimCCLabel'), ValueError,
     r"codec type 'SimCCLabel' is not one of the heatmap codecs \['MSRAHeatmap', 'UDPHeatmap'\]"),
])
def test_bad_input_names_the_field(base, codec, error, message):
    with pytest.raises(error, match=message):
        codec_settings(base, codec)
