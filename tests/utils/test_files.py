"""File helpers: json errors that name the file, atomic writes, the writable-folder check."""
import errno
import json
import subprocess
import sys

import pytest

from hrnet_plugin.utils import atomic_write_text, check_writable_dir, read_json

from ..conftest import REPO_ROOT


def test_read_json_names_file_and_position(tmp_path):
    path = tmp_path / 'ann.json'
    path.write_text('{"images": [1, 2,, 3]}')
    with pytest.raises(ValueError, match=rf'annotation file {path} is not valid json: '
                       r'Expecting value: line 1 column 18'):
        read_json(path, 'annotation file')
    path.write_bytes(b'\xff\xfe not utf-8')
    with pytest.raises(ValueError, match='is not valid json'):
        read_json(path)
    with pytest.raises(FileNotFoundError, match=str(tmp_path / 'missing.json')):
        read_json(tmp_path / 'missing.json')
    path.write_text('[{"a": 1}]')
    assert read_json(path) == [{'a': 1}]


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path):
    """A write that hits the file-size limit (RLIMIT_FSIZE, in a subprocess) fails with the
    OS's error and leaves the earlier file intact, with no temporary file behind."""
    path = tmp_path / 'out.json'
    atomic_write_text(path, json.dumps([1, 2]))
    assert json.loads(path.read_text()) == [1, 2]
    script = f"""
import resource, signal
from hrnet_plugin.utils import atomic_write_text
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write with EFBIG instead of dying
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
try:
    atomic_write_text({str(path)!r}, 'x' * 5000)
except OSError as error:
    print(error.errno)
"""
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            cwd=REPO_ROOT, timeout=120)
    assert result.stdout.strip() == str(errno.EFBIG), result.stderr[-2000:]
    assert json.loads(path.read_text()) == [1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ['out.json']


def test_check_writable_dir(tmp_path):
    assert check_writable_dir(tmp_path / 'a' / 'b') == tmp_path / 'a' / 'b'
    assert (tmp_path / 'a' / 'b').is_dir()
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    with pytest.raises(NotADirectoryError, match=f'{blocker} is a file'):
        check_writable_dir(blocker)
    with pytest.raises(OSError, match=f'cannot write into {blocker / "sub"}'):
        check_writable_dir(blocker / 'sub')
