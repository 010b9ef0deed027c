"""Training killed at any moment, then resumed with ``tools/train.py --resume``: it continues
from the last complete checkpoint and ends with the weights of a run that was never stopped.

Two runs of the tiny COCO config on the samples (8 epochs of 2 iterations, a checkpoint per
epoch, augmentation off so that the data does not depend on random state) go side by side: one
uninterrupted, one that is stopped three times and damaged once before it is resumed to the end:

1. the kernel kills it with SIGXFSZ in the middle of a checkpoint write (its file-size limit is
   lowered below a checkpoint's size once epoch 2 is saved; Python ignores SIGXFSZ, so the run
   restores the default action, which ends the process as any kill does);
2. resumed with the same limit and SIGXFSZ ignored (a full disk), its next checkpoint write
   fails: a one-line error naming the file, exit status 1;
3. resumed, it is killed with SIGKILL at a seeded random moment;
4. its newest checkpoint is cut in half, as a writer that is not atomic leaves a file when the
   machine stops; resumed again, it warns and continues from the checkpoint before, to the end.
"""
import random
import resource
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.fileio import get_file_backend
from mmengine.runner.checkpoint import save_checkpoint

from hrnet_plugin.engine import (
    ATOMIC_LOCAL_BACKEND,
    is_complete_checkpoint,
    recover_last_checkpoint,
)
from hrnet_plugin.utils import error_line

from ..tools.runs import write_tiny_config
from .helpers import assert_refused, start_tool

EPOCHS = 8
SEED = 0
# The crops and targets of the samples without RandomFlip, RandomHalfBody, RandomBBoxTransform.
DETERMINISTIC_DATA = """
train_dataloader['dataset']['pipeline'] = [
    dict(type='LoadImage'), dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec), dict(type='PackPoseInputs')]
"""


def _train(config: Path, work_dir: Path, *extra: str, **limits) -> subprocess.Popen:
    return start_tool('train', [config, '--work-dir', work_dir, *extra],
                      work_dir.with_suffix('.log'), **limits)


def _wait_for(condition, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f'training ended early ({process.returncode})'
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.01)


def _checkpoint(work_dir: Path, epoch: int) -> Path:
    return work_dir / f'epoch_{epoch}.pth'


def _pointer(work_dir: Path) -> str:
    path = work_dir / 'last_checkpoint'
    return path.read_text().strip() if path.is_file() else ''


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp('train')
    config = write_tiny_config(folder / 'config', 'coco', epochs=EPOCHS,
                               extra=DETERMINISTIC_DATA)
    reference, work = folder / 'reference', folder / 'killed'
    work.mkdir()
    uninterrupted = _train(config, reference)
    events = {}

    # 1. Killed by the kernel while writing a checkpoint.
    first = _train(config, work, killed_by_size_limit=True)
    _wait_for(lambda: _pointer(work).endswith('epoch_2.pth'), first)
    size = _checkpoint(work, 2).stat().st_size
    resource.prlimit(first.pid, resource.RLIMIT_FSIZE, (size // 2, size // 2))
    events['sigxfsz'] = dict(returncode=first.wait(240), files=sorted(p.name for p in
                                                                      work.iterdir()))

    # 2. Resumed on a full disk.
    log_size = work.with_suffix('.log').stat().st_size
    full = _train(config, work, '--resume', file_size=size // 2)
    events['full_disk'] = dict(returncode=full.wait(240), pointer=_pointer(work),
                               output=work.with_suffix('.log').read_text()[log_size:],
                               files=sorted(p.name for p in work.iterdir()))

    # 3. Resumed, then killed with SIGKILL at a seeded random moment.
    rng = random.Random(SEED)
    epoch, delay = rng.randint(4, 6), rng.uniform(0, 0.5)
    second = _train(config, work, '--resume')
    _wait_for(lambda: _checkpoint(work, epoch).is_file(), second)
    time.sleep(delay)
    second.send_signal(signal.SIGKILL)
    events['sigkill'] = dict(returncode=second.wait(60), epoch=epoch, delay=delay)

    # 4. The newest checkpoint cut short; resumed to the end.
    newest = Path(_pointer(work))
    newest.write_bytes(newest.read_bytes()[:newest.stat().st_size // 2])
    events['truncated'] = newest
    third = _train(config, work, '--resume')
    events['final_returncode'] = third.wait(300)
    assert uninterrupted.wait(300) == 0, reference.with_suffix('.log').read_text()[-3000:]
    return dict(reference=reference, work=work, log=work.with_suffix('.log').read_text(),
                **events)


@pytest.mark.bad_input('training killed (SIGXFSZ) in the middle of a checkpoint write',
                       'recovered')
@pytest.mark.slow
def test_kill_during_a_checkpoint_write_leaves_earlier_checkpoints_whole(runs):
    event = runs['sigxfsz']
    assert event['returncode'] == -signal.SIGXFSZ
    partial = [name for name in event['files'] if name.endswith('.tmp')]
    assert len(partial) == 1 and partial[0].startswith('.epoch_')  # the write that was killed
    saved = [name for name in event['files'] if name.startswith('epoch_')]
    assert saved and all(is_complete_checkpoint(runs['work'] / name) for name in saved
                         if (runs['work'] / name).exists())


@pytest.mark.bad_input('training on a full disk (file-size limit) saving a checkpoint',
                       'refused')
@pytest.mark.slow
def test_full_disk_during_a_checkpoint_save_is_a_one_line_error(runs):
    event = runs['full_disk']
    assert_refused(event['returncode'], event['output'], 'train.py',
                   f'cannot write {runs["work"]}/epoch_', 'File too large')
    assert is_complete_checkpoint(event['pointer'])
    assert not [name for name in event['files'] if name.endswith('.tmp') and
                name not in runs['sigxfsz']['files']]  # the failed write left nothing


@pytest.mark.bad_input('training killed with SIGKILL at a random moment', 'recovered')
@pytest.mark.slow
def test_kill_at_a_random_moment(runs):
    assert runs['sigkill']['returncode'] == -signal.SIGKILL


@pytest.mark.bad_input('newest checkpoint cut short (named by last_checkpoint)', 'recovered')
@pytest.mark.slow
def test_resume_skips_a_truncated_checkpoint_with_a_warning(runs):
    assert runs['final_returncode'] == 0, runs['log'][-3000:]
    truncated = runs['truncated']
    epoch = int(truncated.stem.split('_')[1])
    assert f'names {str(truncated)!r}, which is missing or incomplete: resuming from ' \
           f'{_checkpoint(runs["work"], epoch - 1)}' in runs['log']
    assert not list(runs['work'].glob('.*.tmp'))  # the killed write's leftover is cleared


@pytest.mark.slow
def test_resumed_training_ends_with_the_uninterrupted_weights(runs):
    final = torch.load(_checkpoint(runs['work'], EPOCHS), map_location='cpu')
    expected = torch.load(_checkpoint(runs['reference'], EPOCHS), map_location='cpu')
    assert final['meta']['epoch'] == expected['meta']['epoch'] == EPOCHS
    assert final['state_dict'].keys() == expected['state_dict'].keys()
    for key, value in expected['state_dict'].items():
        assert torch.equal(final['state_dict'][key], value), key
    # The optimizer state too: a continued run would go on identically.
    for got, want in zip(final['optimizer']['state'].values(),
                         expected['optimizer']['state'].values(), strict=True):
        assert all(torch.equal(got[k], want[k]) for k in want)


def _save(path: Path, value: float) -> Path:
    save_checkpoint({'state_dict': {'w': torch.full((1000, ), value)}}, str(path),
                    backend_args={'backend': ATOMIC_LOCAL_BACKEND})
    return path


@pytest.mark.parametrize('pointer', [
    pytest.param('', marks=pytest.mark.bad_input('last_checkpoint file left empty', 'recovered'),
                 id='empty'),
    pytest.param('epoch_', marks=pytest.mark.bad_input('last_checkpoint file cut short',
                                                      'recovered'), id='cut-short'),
    pytest.param('epoch_9.pth', marks=pytest.mark.bad_input(
        'last_checkpoint naming a deleted checkpoint', 'recovered'), id='deleted'),
])
def test_broken_pointer_falls_back_to_the_newest_complete_checkpoint(tmp_path, pointer):
    for epoch in (1, 2, 10):
        _save(tmp_path / f'epoch_{epoch}.pth', epoch)
    (tmp_path / 'epoch_10.pth').write_bytes((tmp_path / 'epoch_10.pth').read_bytes()[:-100])
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / pointer) if pointer else '')
    assert recover_last_checkpoint(tmp_path) == tmp_path / 'epoch_2.pth'
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'epoch_2.pth')
    assert recover_last_checkpoint(tmp_path) == tmp_path / 'epoch_2.pth'  # now as it is


def test_without_a_complete_checkpoint_training_starts_over(tmp_path):
    _save(tmp_path / 'epoch_1.pth', 1)
    (tmp_path / 'epoch_1.pth').write_bytes(b'PK\x03\x04 cut')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))
    assert recover_last_checkpoint(tmp_path) is None
    assert not (tmp_path / 'last_checkpoint').exists()
    assert recover_last_checkpoint(tmp_path / 'missing') is None


@pytest.mark.bad_input('file-size limit reached while saving a checkpoint', 'refused')
def test_full_disk_while_saving_a_checkpoint(tmp_path, file_size_limit):
    earlier = _save(tmp_path / 'epoch_1.pth', 1)
    content = earlier.read_bytes()
    file_size_limit(len(content) // 2)
    with pytest.raises(OSError) as error:
        _save(tmp_path / 'epoch_2.pth', 2)
    file_size_limit(resource.RLIM_INFINITY)
    assert error_line(error.value).startswith(f'cannot write {tmp_path / "epoch_2.pth"}: File '
                                              'too large')
    assert earlier.read_bytes() == content and not (tmp_path / 'epoch_2.pth').exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ['epoch_1.pth']  # no partial file
    backend = get_file_backend(str(tmp_path), backend_args={'backend': ATOMIC_LOCAL_BACKEND})
    assert np.frombuffer(backend.get(str(earlier)), np.uint8).size == len(content)
