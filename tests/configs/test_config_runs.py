"""Every config through mmpose's own tools: ``tools/train.py`` (training, validation, the dumped
config) and ``analysis_tools/get_flops.py`` (FLOPs and parameters, equal to those of mmpose's
config of the same name), in this process on the samples with the tiny HRNet (see
``samples.write_sample_run_config``); ``mim train/test hrnet_plugin`` and
``mim run mmpose get_flops`` as commands on one config.

A W48 config shrunk to the tiny HRNet is its W32 twin: the twins are checked to be identical
after shrinking, and only the W32 configs run.
"""
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Tuple

import mmpose
import pytest
import torch
from mmengine.config import Config

from ..tools.runs import run
from .mmpose_grid import MMPOSE_TOPDOWN, mmpose_config, published_models
from .samples import write_sample_run_config
from .test_config_contract import CONFIGS, EVALUATORS

W48 = [path for path in CONFIGS if '_hrnet-w48' in path.stem]
RUNS = [path for path in CONFIGS if path not in W48]  # W32 grid and the quickstart
GRID_RUNS = [path for path in RUNS if path.stem in published_models()]
TINY_INPUT = ('64', '64')  # get_flops' input (h, w): sides divisible by 32 for HRNet's branches
FLOPS = re.compile(r'Flops: (\S+)\nParams: (\S+)\n')
MIM = {'PYTHONPATH': ''}  # mim runs the installed plugin's tools and configs


def w32_twin(path: Path) -> Path:
    return path.with_name(path.name.replace('_hrnet-w48', '_hrnet-w32').replace('8xb32', '8xb64'))


def mmpose_tool(relative: str) -> ModuleType:
    """A script of mmpose's tools (installed with mmpose as .mim/tools), loaded as a module."""
    spec = importlib.util.spec_from_file_location(
        f'mmpose_{Path(relative).stem}', Path(mmpose.__file__).parent / '.mim/tools' / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_main(tool: ModuleType, args: list, monkeypatch) -> None:
    monkeypatch.setattr(sys, 'argv', [f'{tool.__name__}.py', *map(str, args)])
    tool.main()


@pytest.fixture(scope='module')
def get_flops() -> ModuleType:
    return mmpose_tool('analysis_tools/get_flops.py')


def flops_and_params(get_flops: ModuleType, config: Path, out_dir: Path, capsys,
                     monkeypatch) -> Tuple[str, str]:
    """(FLOPs, parameters) as mmpose's get_flops prints them for ``config`` with the tiny HRNet
    on 64x64 inputs."""
    capsys.readouterr()
    tiny = write_sample_run_config(config, out_dir)
    run_main(get_flops, [tiny, '--input-shape', *TINY_INPUT], monkeypatch)
    return FLOPS.search(capsys.readouterr().out).groups()


_MMPOSE_FLOPS = {}


def mmpose_flops_and_params(get_flops: ModuleType, dataset: str, name: str, out_dir: Path,
                            capsys, monkeypatch) -> Tuple[str, str]:
    """:func:`flops_and_params` of mmpose's config ``name``, once per number of keypoints (all
    else is the tiny HRNet and the input, the same for every config)."""
    config = mmpose_config(Path(name).stem)
    key = config.model.head.out_channels
    if key not in _MMPOSE_FLOPS:
        _MMPOSE_FLOPS[key] = flops_and_params(get_flops, MMPOSE_TOPDOWN / dataset / name,
                                              out_dir / 'mmpose', capsys, monkeypatch)
    return _MMPOSE_FLOPS[key]


@pytest.mark.parametrize('path', W48, ids=lambda path: path.stem)
def test_w48_config_shrinks_to_its_w32_twin(path, tmp_path):
    """A W48 config differs from its W32 twin only in what the sample runs replace."""
    shrunk = [Config.fromfile(str(write_sample_run_config(config, tmp_path))).to_dict()
              for config in (path, w32_twin(path))]
    assert shrunk[0].pop('hrnet_w48')['head'] == {'in_channels': 48}
    assert shrunk[0] == shrunk[1]


@pytest.mark.slow
@pytest.mark.parametrize('path', RUNS, ids=lambda path: path.stem)
def test_mmpose_train_tool_trains_and_validates(path, tmp_path, monkeypatch):
    iter_based = path.parent.name == 'quickstart'
    config = write_sample_run_config(path, tmp_path, epochs=2 if iter_based else 1,
                                     iter_based=iter_based, val={'indices': 4})
    work_dir = tmp_path / 'work'
    # mmengine keeps one visualizer (and its log folder) per name and process: a name per run.
    run_main(mmpose_tool('train.py'), [config, '--work-dir', work_dir,
                                       '--cfg-options', f'visualizer.name={tmp_path.name}'],
             monkeypatch)

    checkpoint = torch.load(work_dir / ('iter_2.pth' if iter_based else 'epoch_1.pth'),
                            map_location='cpu', weights_only=False)
    assert checkpoint['meta']['dataset_meta']['num_keypoints'] == checkpoint['state_dict'][
        'head.final_layer.weight'].shape[0]
    best = EVALUATORS.get(path.parent.name, EVALUATORS['coco'])[1]
    records = [json.loads(line) for line in
               next(work_dir.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    assert best in records[-1]  # the validation after training
    # The config the Runner saved is the one it ran, as plain values that load again.
    expected = Config.fromfile(str(config)).to_dict()
    expected.update(work_dir=str(work_dir), launcher='none')
    expected['visualizer']['name'] = tmp_path.name
    assert Config.fromfile(str(work_dir / config.name)).to_dict() == expected


@pytest.mark.slow
@pytest.mark.parametrize('path', GRID_RUNS, ids=lambda path: path.stem)
def test_get_flops_counts_as_for_mmpose_config(path, get_flops, tmp_path, capsys, monkeypatch):
    """mmpose's get_flops on our config and on mmpose's config of the same name, both shrunk
    to the tiny HRNet: the same FLOPs and parameters."""
    ours = flops_and_params(get_flops, path, tmp_path / 'ours', capsys, monkeypatch)
    assert ours == mmpose_flops_and_params(get_flops, path.parent.name, path.name, tmp_path,
                                           capsys, monkeypatch)
    assert ours[0].endswith('M') and float(ours[0][:-1]) > 1  # 64x64 inputs: some MFLOPs


@pytest.mark.slow
def test_mim_commands(tmp_path, get_flops, capsys, monkeypatch):
    """`mim run mmpose get_flops`, then `mim train` and `mim test hrnet_plugin` on the deepest
    chain of deltas: UDP <- W48 384x288 <- W48 256x192 <- W32 256x192 (+ the W48 widths)."""
    path = next(config for config in CONFIGS
                if config.stem == 'td-hm_hrnet-w48_udp-8xb32-210e_coco-384x288')
    config = write_sample_run_config(path, tmp_path, val={'indices': 4})
    printed = run(['mim', 'run', 'mmpose', 'get_flops', str(config),
                   '--input-shape', *TINY_INPUT]).stdout
    assert FLOPS.search(printed).groups() == mmpose_flops_and_params(
        get_flops, 'coco', path.name, tmp_path, capsys, monkeypatch)

    log = run(['mim', 'train', 'hrnet_plugin', str(config), '--work-dir', str(tmp_path / 'train')],
              env=MIM).stdout
    assert '.mim/tools/train.py' in log and 'coco/AP: ' in log
    run(['mim', 'test', 'hrnet_plugin', str(config), '--checkpoint',
         str(tmp_path / 'train' / 'epoch_1.pth'), '--work-dir', str(tmp_path / 'test'),
         '--out', str(tmp_path / 'metrics.json')], env=MIM)
    assert 0.0 <= json.loads((tmp_path / 'metrics.json').read_text())['coco/AP'] <= 1.0
