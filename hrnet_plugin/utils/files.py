"""Reading and writing files with errors that name the file, and writes that never leave a
truncated file behind."""
import contextlib
import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterator, Union

PathLike = Union[str, os.PathLike]


def read_json(path: PathLike, what: str = 'json file') -> Any:
    """Parse a json file, or raise naming the file and the position of the syntax error.

    Args:
        path: the file.
        what: what the file is, for the message (e.g. ``'annotation file'``).

    Raises:
        FileNotFoundError: ``path`` is not a file.
        ValueError: it is not valid UTF-8 json.
    """
    if not Path(path).is_file():
        raise FileNotFoundError(f'{what} {path} does not exist')
    try:
        with open(path, encoding='utf-8') as file:
            return json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f'{what} {path} is not valid json: {error}') from error


@contextlib.contextmanager
def naming_write_errors(path: PathLike) -> Iterator[None]:
    """Re-raise an OSError of the block (a full disk, a file-size limit...) as one of the same
    type whose message names ``path``: a failed ``write`` or ``flush`` does not say which file
    it was writing."""
    try:
        yield
    except OSError as error:
        if str(path) in str(error):
            raise
        named = type(error)(f'cannot write {path}: {error.strerror or error}')
        named.errno = error.errno
        raise named from error


def atomic_write_bytes(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder renamed into
    place, so that ``path`` holds either its old content or the new one, never a part of it
    (a crash, a full disk or a file-size limit leaves the old file intact).

    Returns:
        ``path`` as a Path.

    Raises:
        OSError: the file cannot be written, naming it.
    """
    path = Path(path)
    # A name of our own rather than mkstemp's, whose files are private (0600) whatever the umask.
    tmp = path.with_name(f'.{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp')
    try:
        with naming_write_errors(path), open(tmp, 'xb') as file:
            file.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: PathLike, text: str) -> Path:
    """``atomic_write_bytes`` of ``text`` encoded as UTF-8."""
    return atomic_write_bytes(path, text.encode('utf-8'))


def check_writable_dir(path: PathLike) -> Path:
    """Create the folder ``path`` if needed and check that files can be written in it.

    Raises:
        NotADirectoryError: ``path`` (or a parent) is a file.
        PermissionError / OSError: the folder cannot be created or written, naming it.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f'{path} is a file, not a folder')
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise type(error)(f'cannot write into {path}: {error.strerror or error}') from error
    return path
