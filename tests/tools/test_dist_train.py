"""2-process training on the CPU with tools/dist_train.sh (torchrun, gloo).

Checks that both ranks finish with identical weights (gradients averaged every step, BatchNorm
statistics averaged every epoch), and that the validation at the end gathers the predictions of
both ranks: on an odd number of person boxes (6 + 5), every box once, none padded twice.
"""
import pickle
import socket

import pytest
import torch
from mmengine.registry import init_default_scope
from mmpose.registry import DATASETS

from ..configs.samples import sample_dataset_cfg
from .runs import run, write_tiny_config

VAL_SAMPLES = 11

# A hook that saves each rank's final weights (imported by the config from the test's folder).
RANK_WEIGHTS_HOOK = '''\
from pathlib import Path

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class SaveRankWeightsHook(Hook):
    def after_train(self, runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        torch.save(model.state_dict(), Path(runner.work_dir) / f'rank{runner.rank}.pth')
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_two_cpu_processes_train_in_sync_and_evaluate_every_sample_once(tmp_path):
    (tmp_path / 'rank_weights_hook.py').write_text(RANK_WEIGHTS_HOOK)
    extra = f'''
custom_imports = dict(imports=['hrnet_plugin', 'rank_weights_hook'], allow_failed_imports=False)
custom_hooks = [dict(type='SyncBuffersHook'), dict(type='SaveRankWeightsHook')]
val_evaluator = [dict(type='CocoMetric', outfile_prefix='{tmp_path}/val'),
                 dict(type='DumpResults', out_file_path='{tmp_path}/predictions.pkl')]
'''
    config = write_tiny_config(tmp_path, 'coco', val={'indices': VAL_SAMPLES}, extra=extra)
    work_dir = tmp_path / 'work'
    log = run(['bash', 'tools/dist_train.sh', str(config), '2', '--work-dir', str(work_dir)],
              env={'PORT': str(free_port()), 'PYTHON': 'python',
                   'PYTHONPATH': str(tmp_path)}).stdout
    assert 'coco/AP: ' in log

    weights = [torch.load(work_dir / f'rank{rank}.pth', weights_only=True) for rank in (0, 1)]
    saved = torch.load(work_dir / 'epoch_1.pth', weights_only=False)['state_dict']
    assert weights[0].keys() == weights[1].keys() == saved.keys()
    for name in saved:
        assert torch.equal(weights[0][name], weights[1][name]), name
        assert torch.equal(weights[0][name], saved[name]), name

    init_default_scope('mmpose')
    dataset = DATASETS.build(sample_dataset_cfg('coco', 'val', indices=VAL_SAMPLES, pipeline=[]))
    expected = sorted(dataset.get_data_info(i)['id'] for i in range(len(dataset)))
    predictions = pickle.loads((tmp_path / 'predictions.pkl').read_bytes())
    assert sorted(p['id'] for p in predictions) == expected
