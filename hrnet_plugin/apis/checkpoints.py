"""Offline checkpoint resolution shared by the pose and the detection model builders."""
from pathlib import Path
from typing import Union


def local_checkpoint(checkpoint: Union[str, Path]) -> str:
    """Return ``checkpoint`` as a path to an existing local file.

    mmengine's ``load_checkpoint`` would download a URL (``http(s)://``, ``s3://``...) into the
    torch hub cache; this package runs offline, so a URL is refused up front instead of failing
    half-way through a download. A missing file fails here with its full path, before any model
    is built.

    Raises:
        ValueError: ``checkpoint`` is a URL.
        FileNotFoundError: no file at ``checkpoint``.
    """
    text = str(checkpoint)
    if '://' in text:
        raise ValueError(f'checkpoint {text!r} is a URL, but inference runs offline and never '
                         'downloads: download the file yourself and pass its local path')
    path = Path(text).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint file not found: {path.resolve()}')
    return str(path)
