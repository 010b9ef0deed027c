"""Weights load only when they fit the model, through every entry point (the API,
tools/infer.py, tools/test.py, tools/train.py --resume, mmpose's tools/train.py with
``load_from``): otherwise an error names the file and lists the keys with both shapes. Partial
loading happens only when asked for; mmpose 0.x checkpoints load as mmpose 1.x loads them."""
import logging
import re
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.apis import init_model as mmpose_init_model

from hrnet_plugin.apis import init_pose_model
from hrnet_plugin.checkpoint import CheckpointError, load_weights
from hrnet_plugin.engine import load_run_config

from ..apis.helpers import COCO_IMAGES, REPO_ROOT, W32_CONFIG
from ..configs.test_config_runs import mmpose_tool, run_main
from ..tools.runs import write_tiny_config
from .helpers import load_tool

W48_CONFIG = REPO_ROOT / 'configs/coco/td-hm_hrnet-w48_8xb32-210e_coco-256x192.py'
QUICKSTART_CONFIG = (REPO_ROOT / 'configs/quickstart/'
                     'td-hm_hrnet-w24-tiny_1xb32-5min_synthetic-96x64.py')
TINY_WIDTH = 8  # head input channels of the tiny test HRNet (tests/models/hrnet_archs.py)


@pytest.fixture(scope='module')
def tiny(tiny_files, tmp_path_factory):
    """(config, 17-keypoint checkpoint, 16-keypoint checkpoint) of the tiny test model."""
    config, checkpoint = tiny_files
    weights = torch.load(checkpoint, weights_only=True)['state_dict']
    for name in ('head.final_layer.weight', 'head.final_layer.bias'):
        weights[name] = weights[name][:16]  # MPII's 16 keypoints
    sixteen = tmp_path_factory.mktemp('mpii16') / 'mpii16.pth'
    torch.save({'state_dict': weights}, sixteen)
    return config, checkpoint, sixteen


def _mismatch_16(path) -> str:
    return (f'checkpoint {path} does not fit the model (TopdownPoseEstimator): 2 with another '
            f'shape: head.final_layer.weight: checkpoint (16, {TINY_WIDTH}, 1, 1), model '
            f'(17, {TINY_WIDTH}, 1, 1), head.final_layer.bias: checkpoint (16,), model (17,)')


def _assert_backbone_from(model, checkpoint):
    saved = torch.load(checkpoint, weights_only=True)['state_dict']
    state = model.state_dict()
    backbone = [key for key in saved if key.startswith('backbone.')]
    assert len(backbone) > 100
    for key in backbone:
        assert torch.equal(state[key], saved[key]), key


@pytest.mark.bad_input('W48 checkpoint into a W32 config', 'refused')
def test_w48_weights_into_w32_are_refused():
    w32 = init_pose_model(W32_CONFIG)
    before = w32.state_dict()['backbone.conv1.weight'].clone()
    w48 = Config.fromfile(str(W48_CONFIG))
    w48.model.backbone.init_cfg = None
    with pytest.raises(CheckpointError) as error:
        load_weights(w32, {'state_dict': init_pose_model(w48).state_dict()}, 'w48.pth')
    message = str(error.value)
    assert message.startswith('checkpoint w48.pth does not fit the model')
    # Same names, other widths: from the first transition into the 48-channel branch on.
    assert 'missing' not in message and 'unexpected' not in message
    assert ('with another shape: backbone.transition1.0.0.weight: checkpoint (48, 256, 3, 3), '
            'model (32, 256, 3, 3), backbone.transition1.0.1.weight: checkpoint (48,), '
            'model (32,)') in message
    assert 'strict=False' in message  # how to load partially on purpose
    assert torch.equal(w32.state_dict()['backbone.conv1.weight'], before)  # nothing loaded


@pytest.mark.bad_input("W32 checkpoint into the quickstart's W24 config (tools/infer.py)",
                       'refused')
def test_w32_checkpoint_into_the_quickstart_config_fails_infer(tmp_path, capsys):
    w32 = init_pose_model(W32_CONFIG)
    path = tmp_path / 'w32.pth'
    torch.save({'state_dict': w32.state_dict()}, path)
    out = tmp_path / 'out'
    assert load_tool('infer').main([str(QUICKSTART_CONFIG), str(path), '--input',
                                str(COCO_IMAGES[0]), '--out-dir', str(out)]) == 1
    error = capsys.readouterr().err
    assert f'infer.py: error: checkpoint {path} does not fit the model' in error
    # W32's stage 1 has four bottlenecks of 64 planes, the quickstart's one of 32.
    assert ('backbone.layer1.0.conv1.weight: checkpoint (64, 64, 1, 1), model (32, 64, 1, 1)'
            in error)
    assert ('unexpected (in the checkpoint, not in the model): backbone.layer1.1.conv1.weight'
            in error)
    assert not out.exists()


@pytest.mark.bad_input('checkpoint with another keypoint count (16-keypoint head, 17-keypoint '
                       'config)', 'refused')
def test_16_keypoint_head_into_17_keypoint_config_is_refused(tiny):
    config, _, sixteen = tiny
    with pytest.raises(CheckpointError) as error:
        init_pose_model(config, sixteen)
    assert str(error.value).startswith(_mismatch_16(sixteen))


def test_partial_loading_only_when_asked(tiny, caplog):
    """strict=False: the backbone from the file, the head as constructed (same seed)."""
    config, _, sixteen = tiny
    torch.manual_seed(0)
    fresh = init_pose_model(config)
    torch.manual_seed(0)
    with caplog.at_level(logging.WARNING):
        partial = init_pose_model(config, sixteen, strict=False)
    assert 'loaded partially, as asked (strict=False)' in caplog.text
    assert 'head.final_layer.weight: checkpoint (16, 8, 1, 1)' in caplog.text
    _assert_backbone_from(partial, sixteen)
    assert torch.equal(partial.head.final_layer.weight, fresh.head.final_layer.weight)


@pytest.mark.bad_input('checkpoint that does not fit the config, through tools/test.py',
                       'refused')
def test_tools_test_refuses(tiny, tmp_path, capsys):
    config = write_tiny_config(tmp_path, 'coco')
    assert load_tool('test').main([str(config), str(tiny[2]), '--work-dir',
                                   str(tmp_path / 'work')]) == 1
    assert capsys.readouterr().err.startswith(f'test.py: error: {_mismatch_16(tiny[2])}')


@pytest.mark.bad_input('training resumed from a checkpoint that does not fit (tools/train.py '
                       '--resume)', 'refused')
def test_tools_train_resume_refuses(tiny, tmp_path, capsys):
    config = write_tiny_config(tmp_path, 'coco')
    assert load_tool('train').main([str(config), '--resume', str(tiny[2]), '--work-dir',
                                    str(tmp_path / 'work')]) == 1
    assert f'train.py: error: {_mismatch_16(tiny[2])}' in capsys.readouterr().err


@pytest.mark.bad_input("load_from that does not fit, run by mmpose's own tools/train.py",
                       'refused')
def test_mmpose_train_tool_refuses_load_from(tiny, tmp_path, monkeypatch):
    config = write_tiny_config(tmp_path, 'coco')
    with pytest.raises(CheckpointError, match=re.escape(_mismatch_16(tiny[2]))):
        run_main(mmpose_tool('train.py'),
                 [config, '--work-dir', tmp_path / 'work', '--cfg-options',
                  f'load_from={tiny[2]}', f'visualizer.name={tmp_path.name}'], monkeypatch)


def _runner(config, tmp_path, **options) -> Runner:
    cfg = load_run_config(str(config), dict(options, **{'visualizer.name': tmp_path.name}),
                          work_dir=str(tmp_path / 'work'))
    return Runner.from_cfg(cfg)


def test_runner_loads_partially_when_the_config_says_so(tiny, tmp_path):
    runner = _runner(write_tiny_config(tmp_path, 'coco'), tmp_path, load_from=str(tiny[2]),
                     **{'default_hooks.strict_load.strict': False})
    runner.load_or_resume()
    _assert_backbone_from(runner.model, tiny[2])


@pytest.fixture(scope='module')
def mmpose0(tiny, tmp_path_factory):
    """The tiny checkpoint in mmpose 0.x's layout: ``keypoint_head.*``, module versions of a
    0.x ``TopDown`` (version 1), ``meta`` without ``dataset_meta``."""
    saved = torch.load(tiny[1], weights_only=True)['state_dict']
    weights = OrderedDict((key.replace('head.', 'keypoint_head.', 1)
                           if key.startswith('head.') else key, value)
                          for key, value in saved.items())
    weights._metadata = OrderedDict(
        (key.replace('head', 'keypoint_head', 1) if key.startswith('head') else key,
         dict(value, version=1) if key == '' else value)
        for key, value in saved._metadata.items())
    path = tmp_path_factory.mktemp('mmpose0') / 'hrnet_tiny_coco-0123abcd_20200708.pth'
    torch.save({'meta': {'mmpose_version': '0.28.1', 'epoch': 210, 'iter': 100},
                'state_dict': weights}, path)
    return path


def test_mmpose0_layout_loads_as_mmpose_loads_it(tiny, mmpose0, tmp_path):
    assert any(key.startswith('keypoint_head.') for key in
               torch.load(mmpose0, weights_only=True)['state_dict'])
    ours = init_pose_model(tiny[0], mmpose0)
    theirs = mmpose_init_model(str(tiny[0]), str(mmpose0), device='cpu')
    runner = _runner(write_tiny_config(tmp_path, 'coco'), tmp_path, load_from=str(mmpose0))
    runner.load_or_resume()
    expected = torch.load(tiny[1], weights_only=True)['state_dict']  # the 1.x original
    for model in (ours, theirs, runner.model):
        state = model.state_dict()
        assert state.keys() == expected.keys()
        for key, tensor in expected.items():
            assert torch.equal(state[key], tensor), key
    # No dataset_meta in a 0.x checkpoint: both take the config's.
    np.testing.assert_equal(ours.dataset_meta, theirs.dataset_meta)
    assert ours.dataset_meta['dataset_name'] == 'coco'
