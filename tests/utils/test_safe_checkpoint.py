"""Checkpoints load under torch's weights_only=True through the allowlist, and nothing else."""
import argparse
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

import hrnet_plugin  # noqa: F401  (installs the allowlist)


def test_mmengine_checkpoint_types_round_trip(tmp_path):
    hub = MessageHub.get_instance('safe-checkpoint-test')
    hub.update_scalar('train/loss', 0.25)
    hub.update_info('iter', 7)
    meta = dict(dataset_meta=dict(sigmas=np.arange(17, dtype=np.float32) / 17,
                                  flip_indices=[0, 2, 1], num_keypoints=17,
                                  keypoint_colors=np.zeros((17, 3), dtype=np.uint8)),
                seed=np.int64(3), epoch=2, mean=np.float64(0.5))
    checkpoint = dict(meta=meta, state_dict={'w': torch.arange(4.)},
                      message_hub=hub.state_dict(), optimizer={'state': {}, 'param_groups': []})
    path = tmp_path / 'epoch_2.pth'
    torch.save(checkpoint, path)
    loaded = _load_checkpoint(str(path), map_location='cpu')
    np.testing.assert_array_equal(loaded['meta']['dataset_meta']['sigmas'],
                                  meta['dataset_meta']['sigmas'])
    assert loaded['meta']['seed'] == 3
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer) and buffer.current() == 0.25


def test_other_types_are_refused_by_name(tmp_path):
    path = tmp_path / 'foreign.pth'
    torch.save(dict(state_dict={}, args=argparse.Namespace(lr=0.1)), path)
    with pytest.raises(pickle.UnpicklingError, match='argparse.Namespace'):
        _load_checkpoint(str(path), map_location='cpu')


class _Exploit:
    def __reduce__(self):
        return (os.system, ('touch hrnet_plugin_pwned',))


def test_code_in_a_pickle_does_not_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': _Exploit()}, path)
    with pytest.raises(pickle.UnpicklingError, match='system'):
        _load_checkpoint(str(path), map_location='cpu')
    assert not (tmp_path / 'hrnet_plugin_pwned').exists()


def test_getattr_is_restricted_to_history_buffer_statistics(tmp_path):
    """A pickle may fetch HistoryBuffer.mean, but not any other attribute via getattr."""
    path = tmp_path / 'getattr.pth'
    torch.save({'f': HistoryBuffer.mean}, path)
    assert _load_checkpoint(str(path), map_location='cpu')['f'] is HistoryBuffer.mean
    torch.save({'f': np.ndarray.tofile}, path)
    with pytest.raises(pickle.UnpicklingError, match='only HistoryBuffer statistics methods'):
        _load_checkpoint(str(path), map_location='cpu')


def test_fresh_process_loads_a_message_hub(tmp_path, repo_root):
    """In a new process no HistoryBuffer exists yet when the checkpoint is read."""
    import subprocess
    import sys
    hub = MessageHub.get_instance('fresh-process-test')
    hub.update_scalar('train/loss', 1.5)
    path = tmp_path / 'hub.pth'
    torch.save(dict(message_hub=hub.state_dict()), path)
    code = ('import hrnet_plugin, sys; from mmengine.runner.checkpoint import _load_checkpoint; '
            'c = _load_checkpoint(sys.argv[1], map_location="cpu"); '
            'print(c["message_hub"]["log_scalars"]["train/loss"].current())')
    run = subprocess.run([sys.executable, '-c', code, str(path)], capture_output=True,
                         text=True, cwd=repo_root)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().endswith('1.5')
