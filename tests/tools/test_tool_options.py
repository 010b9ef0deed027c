"""Command-line options of tools/train.py and tools/test.py, and the CPU distributed setup."""
import importlib.util
import os
import socket
from types import ModuleType

import pytest
import torch
import torch.distributed as dist
from mmengine.config import Config

from hrnet_plugin.engine import CPUDistributedDataParallel, setup_cpu_distributed

from ..configs.samples import CONFIGS
from .runs import REPO_ROOT

COCO = str(CONFIGS['coco'])


def load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f'tool_{name}', REPO_ROOT / 'tools' / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def train_tool() -> ModuleType:
    return load_tool('train.py')


@pytest.fixture(scope='module')
def test_tool() -> ModuleType:
    return load_tool('test.py')


@pytest.mark.parametrize('flag', ['--local-rank', '--local_rank'])
def test_both_local_rank_spellings(train_tool, test_tool, flag, monkeypatch):
    for tool, positional in ((train_tool, [COCO]), (test_tool, [COCO, 'c.pth'])):
        monkeypatch.delenv('LOCAL_RANK', raising=False)
        assert tool.parse_args([*positional, f'{flag}=3']).local_rank == 3
        assert os.environ['LOCAL_RANK'] == '3'


def test_train_options(train_tool, tmp_path):
    def build(*options):
        return train_tool.build_config(train_tool.parse_args([COCO, *options]))

    cfg = build()
    assert cfg.work_dir == 'work_dirs/td-hm_hrnet-w32_8xb64-210e_coco-256x192'
    assert (cfg.resume, cfg.launcher, cfg.optim_wrapper.get('type')) == (False, 'none', None)
    cfg = build('--resume', '--work-dir', str(tmp_path), '--launcher', 'pytorch')
    assert (cfg.resume, cfg.load_from, cfg.work_dir) == (True, None, str(tmp_path))
    assert cfg.launcher == 'pytorch'
    cfg = build('--resume', 'run/epoch_3.pth', '--amp', '--auto-scale-lr',
                '--cfg-options', 'train_cfg.max_epochs=5', 'work_dir=elsewhere')
    assert (cfg.resume, cfg.load_from) == (True, 'run/epoch_3.pth')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper' and cfg.auto_scale_lr.enable
    assert (cfg.train_cfg.max_epochs, cfg.work_dir) == (5, 'elsewhere')


def test_test_options(test_tool):
    def build(*options):
        return test_tool.build_config(test_tool.parse_args([COCO, 'c.pth', *options]))

    cfg = build()
    assert cfg.load_from == 'c.pth' and cfg.test_evaluator.type == 'CocoMetric'
    assert not cfg.default_hooks.visualization.enable
    cfg = build('--dump', 'p.pkl', '--show-dir', 'vis', '--cfg-options',
                'test_evaluator.outfile_prefix=out/coco')
    assert [e['type'] for e in cfg.test_evaluator] == ['CocoMetric', 'DumpResults']
    assert cfg.test_evaluator[0]['outfile_prefix'] == 'out/coco'
    assert cfg.test_evaluator[1]['out_file_path'] == 'p.pkl'
    assert cfg.default_hooks.visualization.enable
    assert cfg.default_hooks.visualization.out_dir == 'vis'
    with pytest.raises(SystemExit):
        test_tool.parse_args([COCO, 'c.pth', '--dump', 'p.json'])


def test_cpu_distributed_setup(monkeypatch):
    if torch.cuda.is_available():
        pytest.skip('the CPU setup applies without CUDA only')
    cfg = Config({'launcher': 'none'})
    assert not setup_cpu_distributed(cfg) and 'model_wrapper_cfg' not in cfg
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    for name, value in {'RANK': '0', 'LOCAL_RANK': '0', 'WORLD_SIZE': '1',
                        'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(port)}.items():
        monkeypatch.setenv(name, value)
    cfg = Config({'launcher': 'pytorch'})
    try:
        assert setup_cpu_distributed(cfg)
        assert dist.get_backend() == 'gloo'
        assert cfg.model_wrapper_cfg.type == 'hrnet_plugin.CPUDistributedDataParallel'
        # The Runner resolves wrappers through mmengine's root registry.
        from mmengine.registry import MODEL_WRAPPERS
        assert MODEL_WRAPPERS.get(cfg.model_wrapper_cfg.type) is CPUDistributedDataParallel
        # What the Runner does with it: wrap with the device ids meant for GPUs.
        wrapped = CPUDistributedDataParallel(torch.nn.Linear(2, 2), device_ids=[0],
                                             broadcast_buffers=False)
        assert wrapped.device_ids is None
    finally:
        dist.destroy_process_group()
