"""The export cache: built once and reused, folders named by the key, a broken export (missing,
truncated, edited file; unreadable manifest) detected and rebuilt, an interrupted build leaves
nothing behind."""
import hashlib
import json

import pytest

from hrnet_plugin.deploy.export_cache import (
    MANIFEST,
    cached_export,
    export_problem,
    exports_root,
    file_sha256,
)
from hrnet_plugin.utils import HOME_VARIABLE

KEY = dict(backend='openvino', precision='int8', weights='ab' * 32, input_size=[192, 256])


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_VARIABLE, str(tmp_path / 'home'))
    return tmp_path / 'home'


class Builder:
    """Writes two files and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, folder) -> None:
        self.calls += 1
        (folder / 'model.xml').write_text('<net/>')
        (folder / 'model.bin').write_bytes(bytes(range(256)) * 4)


def test_file_sha256_equals_hashlib(tmp_path):
    path = tmp_path / 'data.bin'
    data = bytes(range(256)) * 5000   # several read chunks
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_built_once_then_reused(cache_home):
    build = Builder()
    folder = cached_export(KEY, build)
    assert folder.parent == exports_root() == cache_home / 'exports'
    assert folder.name.startswith('openvino-int8-')
    assert cached_export(KEY, build) == folder and build.calls == 1
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest['key'] == KEY
    assert manifest['files'] == {name: file_sha256(folder / name)
                                 for name in ('model.bin', 'model.xml')}
    assert sorted(p.name for p in exports_root().iterdir()) == [folder.name]  # no temporaries


def test_other_key_other_folder():
    build = Builder()
    first = cached_export(KEY, build)
    second = cached_export(dict(KEY, input_size=[288, 384]), build)
    assert first != second and build.calls == 2


@pytest.mark.bad_input('cached export with a truncated, edited or missing model file, or a '
                       'broken manifest', 'skipped')
@pytest.mark.parametrize('damage', ['truncate', 'edit', 'delete', 'manifest', 'other key'])
def test_broken_export_is_detected_and_rebuilt(damage):
    build = Builder()
    folder = cached_export(KEY, build)
    weights = folder / 'model.bin'
    if damage == 'truncate':
        weights.write_bytes(weights.read_bytes()[:100])
    elif damage == 'edit':
        weights.write_bytes(bytes(reversed(weights.read_bytes())))
    elif damage == 'delete':
        weights.unlink()
    elif damage == 'manifest':
        (folder / MANIFEST).write_text('{"key": ')
    else:
        manifest = json.loads((folder / MANIFEST).read_text())
        (folder / MANIFEST).write_text(json.dumps(dict(manifest, key=dict(KEY, weights='0'))))
    assert export_problem(folder, KEY) is not None
    assert cached_export(KEY, build) == folder and build.calls == 2
    assert export_problem(folder, KEY) is None
    assert sorted(p.name for p in exports_root().iterdir()) == [folder.name]


@pytest.mark.bad_input('export build interrupted by an error', 'refused')
def test_failed_build_leaves_nothing():
    def failing(folder):
        (folder / 'model.xml').write_text('<net')
        raise RuntimeError('conversion failed')

    with pytest.raises(RuntimeError, match='conversion failed'):
        cached_export(KEY, failing)
    assert list(exports_root().iterdir()) == []
    build = Builder()
    cached_export(KEY, build)
    assert build.calls == 1
