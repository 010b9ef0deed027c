"""Checkpoint files that cannot be read fail with an error naming the file and saying what is
wrong, through every loader (the API, mmengine's loader under the Runner and mmpose's tools,
tools/test.py); nothing in a pickle runs."""
import io
import os
import pickle
import zipfile

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

from hrnet_plugin.apis import init_pose_model
from hrnet_plugin.checkpoint import CheckpointError, UnsafeCheckpointError, read_checkpoint

from ..apis.helpers import COCO_IMAGES
from ..tools.runs import write_tiny_config
from .helpers import load_tool

MARKER = 'hrnet_plugin_pickle_ran'  # what the malicious pickles would create


class _RunsCode:
    """Unpickling this calls os.system (what a malicious checkpoint does)."""

    def __reduce__(self):
        return os.system, (f'touch {MARKER}', )


def _newer_torch(data: bytes) -> bytes:
    """The zip checkpoint ``data`` with the format version record of a future torch (99)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, 'w') as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, b'99\n' if info.filename.endswith('/version') else content)
    return out.getvalue()


def _legacy(data: bytes) -> bytes:
    """The checkpoint ``data`` re-saved in torch's pre-1.6 (non-zip) format."""
    out = io.BytesIO()
    torch.save(torch.load(io.BytesIO(data), weights_only=True), out,
               _use_new_zipfile_serialization=False)
    return out.getvalue()


def _saved(obj) -> bytes:
    out = io.BytesIO()
    torch.save(obj, out)
    return out.getvalue()


# case -> (bytes from the good checkpoint's bytes, error type, what the message says)
BAD_FILES = {
    'truncated checkpoint (zip cut in half)': (
        lambda data: data[:len(data) // 2], CheckpointError, 'truncated or corrupt file'),
    "truncated checkpoint in torch's legacy format": (
        lambda data: (legacy := _legacy(data))[:len(legacy) // 2], CheckpointError,
        'truncated or corrupt file'),
    'empty checkpoint file': (lambda data: b'', CheckpointError, 'empty or truncated'),
    'not a checkpoint (a JPEG image)': (
        lambda data: COCO_IMAGES[0].read_bytes(), CheckpointError, 'not a PyTorch checkpoint'),
    'not a checkpoint (a text file)': (
        lambda data: b'not a checkpoint\n', CheckpointError, 'not a PyTorch checkpoint'),
    'checkpoint from a newer torch (zip version record 99)': (
        _newer_torch, CheckpointError, 'written by a newer PyTorch (file format version 99'),
    'checkpoint holding a tensor, not a dict': (
        lambda data: _saved(torch.zeros(3)), CheckpointError, 'holds a Tensor'),
    'pickle that would run code (torch.save of an object calling os.system)': (
        lambda data: _saved({'state_dict': {}, 'x': _RunsCode()}), UnsafeCheckpointError,
        'unsupported GLOBAL posix.system'),
    'pickle that would run code (a bare pickle, protocol 2)': (
        lambda data: pickle.dumps(_RunsCode(), protocol=2), UnsafeCheckpointError,
        'unsupported GLOBAL posix.system'),
}
LOADERS = {
    'read_checkpoint': read_checkpoint,
    "mmengine's loader (Runner, mmpose's tools)": lambda path: _load_checkpoint(str(path)),
}


@pytest.mark.parametrize('case', [pytest.param(case, marks=pytest.mark.bad_input(case, 'refused'))
                                  for case in BAD_FILES])
def test_bad_file_is_named_and_explained(case, tiny_files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where the malicious pickles would leave their marker
    make, error_type, message = BAD_FILES[case]
    path = tmp_path / 'bad.pth'
    path.write_bytes(make(tiny_files[1].read_bytes()))
    loaders = dict(LOADERS, init_pose_model=lambda checkpoint: init_pose_model(tiny_files[0],
                                                                      checkpoint))
    for name, load in loaders.items():
        with pytest.raises(error_type) as error:
            load(path)
        assert str(path) in str(error.value) and message in str(error.value), name
        # No traceback from inside the unpickler is chained to it (raised from None).
        chained = error.value.__cause__ or (None if error.value.__suppress_context__
                                            else error.value.__context__)
        assert chained is None, name
    assert not (tmp_path / MARKER).exists()


def test_unsafe_checkpoint_is_also_an_unpickling_error(tmp_path):
    """Callers catching torch's own refusal (pickle.UnpicklingError) still catch it."""
    path = tmp_path / 'evil.pth'
    path.write_bytes(_saved({'x': _RunsCode()}))
    with pytest.raises(pickle.UnpicklingError):
        read_checkpoint(path)


@pytest.mark.bad_input('truncated checkpoint through tools/test.py (the Runner)', 'refused')
def test_tools_test_names_the_truncated_file(tmp_path, capsys):
    tool = load_tool('test')
    config = write_tiny_config(tmp_path, 'coco')
    path = tmp_path / 'epoch_1.pth'
    path.write_bytes(_saved({'state_dict': {'w': torch.zeros(1000)}})[:500])
    assert tool.main([str(config), str(path), '--work-dir', str(tmp_path / 'work')]) == 1
    assert f'test.py: error: checkpoint {path}: truncated' in capsys.readouterr().err


def test_missing_file_is_named(tiny_files, tmp_path):
    path = tmp_path / 'missing.pth'
    for load in (*LOADERS.values(), lambda checkpoint: init_pose_model(tiny_files[0], checkpoint)):
        with pytest.raises(FileNotFoundError, match=str(path)):
            load(path)
