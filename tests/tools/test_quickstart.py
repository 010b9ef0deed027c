"""tools/quickstart.py: a reduced run of the whole path, an interrupted run resumed, bad input.

The reduced runs use the real quickstart config on a tiny dataset, with batches of 8 and a few
tens of iterations (the hidden ``--num-train/--num-val/--cfg-options`` flags), in subprocesses
started as a user would.
"""
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest
import torch

import hrnet_plugin  # noqa: F401  (allowlists the checkpoint types for torch.load)

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOL = REPO_ROOT / 'tools' / 'quickstart.py'
TINY = ['--num-train', '12', '--num-val', '4', '--seed', '3']
# Batches of 8, the loss logged at every iteration, the warm-up shortened to the run's length,
# and a learning rate fixed here so the smoke run does not follow the full run's tuning.
TINY_OPTIONS = ['train_dataloader.batch_size=8', 'default_hooks.logger.interval=1',
                'param_scheduler.0.end=5', 'param_scheduler.1.begin=5',
                'optim_wrapper.optimizer.lr=2e-3']
SUMMARY_KEYS = {'coco/AP', 'coco/AP .5', 'coco/AR'}


def _env() -> dict:
    # The working tree's plugin (not an installed copy), one thread per test process.
    return {**os.environ, 'PYTHONPATH': str(REPO_ROOT), 'OMP_NUM_THREADS': '1'}


def _quickstart(args: List[str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], cwd=REPO_ROOT, env=_env(),
                          capture_output=True, text=True, timeout=timeout)


def _load_tool():
    spec = importlib.util.spec_from_file_location('quickstart_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_reduced_run_trains_evaluates_and_reports(tmp_path):
    out = tmp_path / 'out'
    result = _quickstart(['--out-dir', str(out), '--minutes', '1', *TINY, '--cfg-options',
                          'train_cfg.max_iters=60', *TINY_OPTIONS])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    summary = json.loads((out / 'summary.json').read_text())
    for boxes in ('gt_boxes', 'detection_boxes'):
        assert set(summary[boxes]) == SUMMARY_KEYS
        assert all(0 <= value <= 1 for value in summary[boxes].values())
    assert 0 < summary['iterations'] <= 60
    # Within the budget, give or take the iteration that crossed it.
    assert 0 < summary['train_minutes'] <= 1.1 and summary['train_images_per_s'] > 0
    checkpoint = Path(summary['checkpoint'])
    state = torch.load(checkpoint, map_location='cpu')  # weights_only: the plugin allowlists
    assert state['meta']['iter'] == summary['iterations']
    for name in ('curves.png', 'predictions.png'):
        assert (out / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'

    # The loss logged at every iteration falls.
    records = [json.loads(line) for line in
               next(out.glob('train/*/vis_data/scalars.json')).read_text().splitlines()]
    losses = [r['loss'] for r in records if 'loss' in r]
    assert len(losses) == summary['iterations'] >= 10
    assert sum(losses[-5:]) < 0.8 * sum(losses[:5])

    # The summary says whether the target AP was reached.
    assert summary['target_ap'] == {'gt_boxes': 0.6, 'detection_boxes': 0.5}
    assert summary['target_reached'] is (summary['gt_boxes']['coco/AP'] >= 0.6
                                         and summary['detection_boxes']['coco/AP'] >= 0.5)
    assert 'Target AP >= 0.60 (annotated) and >= 0.50 (detected boxes): ' in result.stdout
    # The progress bar showed the validation AP and the expected end of training.
    bar = [line for line in re.split('[\r\n]', result.stderr) if 'iter/s' in line
           or 's/iter' in line][-1]
    assert 'AP=' in bar and 'ends=' in bar and 'budget=' in bar, bar

    # The report names the outputs and a command to run the model on one's own image.
    assert str(checkpoint) in result.stdout
    assert 'tools/infer.py' in result.stdout and '--input' in result.stdout


@pytest.mark.slow
def test_interrupted_run_resumes_from_its_last_checkpoint(tmp_path):
    out = tmp_path / 'out'
    args = ['--out-dir', str(out), '--minutes', '5', *TINY]
    process = subprocess.Popen(
        [sys.executable, str(TOOL), *args, '--cfg-options', 'train_cfg.max_iters=500',
         'default_hooks.checkpoint.interval=3', *TINY_OPTIONS],
        cwd=REPO_ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pointer = out / 'train' / 'last_checkpoint'
    deadline = time.monotonic() + 180
    while not pointer.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert pointer.exists(), 'no checkpoint was saved'
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-3000:]
    assert '--resume' in stderr

    checkpoint = Path(pointer.read_text().strip())
    saved_iter = torch.load(checkpoint, map_location='cpu')['meta']['iter']
    assert saved_iter >= 3
    resumed = _quickstart([*args, '--resume', '--cfg-options',
                           f'train_cfg.max_iters={saved_iter + 4}', *TINY_OPTIONS])
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert 'reused' in resumed.stdout  # the same dataset, not generated again
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['iterations'] == saved_iter + 4
    log = (out / 'train' / 'stdout.log').read_text()
    assert f'Auto resumed from the latest checkpoint {checkpoint}' in log


def test_minutes_must_be_positive(capsys):
    tool = _load_tool()
    for minutes in ('0', '-1', 'nan', 'inf'):
        with pytest.raises(SystemExit) as exit_info:
            tool.parse_args(['--minutes', minutes])
        assert exit_info.value.code == 2
        assert '--minutes: must be > 0' in capsys.readouterr().err


def test_unwritable_out_dir_is_an_error_before_any_work(tmp_path, capsys):
    blocker = tmp_path / 'a_file'
    blocker.write_text('not a folder')
    with pytest.raises(SystemExit) as exit_info:
        _load_tool().main(['--out-dir', str(blocker / 'out')])
    assert exit_info.value.code == 2
    assert f'cannot write into {blocker / "out"}' in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == [blocker]


def test_resume_without_a_checkpoint_is_an_error(tmp_path, capsys):
    assert _load_tool().main(['--out-dir', str(tmp_path), '--resume']) == 1
    assert 'nothing to resume' in capsys.readouterr().err
    assert not (tmp_path / 'data').exists()


def test_foreign_files_in_the_data_folder_are_left_alone(tmp_path, capsys):
    user_file = tmp_path / 'data' / 'annotations' / 'person_keypoints_train.json'
    user_file.parent.mkdir(parents=True)
    user_file.write_text('{"mine": true}')
    assert _load_tool().main(['--out-dir', str(tmp_path), *TINY]) == 1
    assert 'refusing to overwrite' in capsys.readouterr().err
    assert user_file.read_text() == '{"mine": true}'
