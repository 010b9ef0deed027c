"""The cache of exported models: one folder per export, named by a digest of what determines
its content, built in a temporary folder and moved into place, checked before every use.

Layout: ``cache_root() / 'exports' / '<backend>-<precision>-<digest>' /`` holding the model
files and ``manifest.json`` (the key, and the sha256 of every file). A folder whose manifest is
missing, unreadable, for another key, or whose files are missing or differ from their recorded
sha256 (a truncated copy, a disk error, an edit) is rebuilt.
"""
import contextlib
import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

from hrnet_plugin.utils import atomic_write_text, cache_root

logger = logging.getLogger(__name__)

MANIFEST = 'manifest.json'
_CHUNK = 1 << 20


def file_sha256(path: Union[str, Path]) -> str:
    """Hex sha256 of a file's content, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        for chunk in iter(lambda: file.read(_CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def json_sha256(value: Any) -> str:
    """Hex sha256 of ``value`` as canonical json (sorted keys; other types by ``str``)."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(',', ':'))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def exports_root() -> Path:
    """``cache_root() / 'exports'`` (``$HRNET_PLUGIN_HOME/exports`` when that is set)."""
    return cache_root() / 'exports'


def export_problem(folder: Path, key: Mapping[str, Any]) -> Optional[str]:
    """Why ``folder`` is not an intact export of ``key`` (None when it is)."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        return 'no manifest'
    try:
        manifest = json.loads(manifest_path.read_text(encoding='utf-8'))
        files = manifest['files']
        recorded_key = manifest['key']
    except (ValueError, KeyError, TypeError) as error:
        return f'unreadable manifest ({error})'
    if recorded_key != json.loads(json.dumps(key, default=str)):
        return 'manifest of another export'
    for name, sha256 in files.items():
        path = folder / name
        if not path.is_file():
            return f'{name} is missing'
        if file_sha256(path) != sha256:
            return f'{name} differs from its recorded sha256'
    return None


def _install(tmp: Path, folder: Path, key: Mapping[str, Any]) -> None:
    """Move the finished ``tmp`` to ``folder``, replacing a broken ``folder``; when another
    process installed an intact copy first, keep that one."""
    if folder.exists():
        trash = folder.with_name(f'.{folder.name}.{uuid.uuid4().hex[:8]}.old')
        with contextlib.suppress(FileNotFoundError):  # another process moved it first
            os.replace(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)
    try:
        os.replace(tmp, folder)
    except OSError:
        # A non-empty folder appeared meanwhile: a concurrent build of the same key.
        if export_problem(folder, key) is not None:
            raise


def cached_export(key: Mapping[str, Any], build: Callable[[Path], None]) -> Path:
    """The folder of the export described by ``key``, built by ``build`` unless an intact one
    exists.

    Args:
        key: json-serialisable description of everything the files depend on; must hold
            ``backend`` and ``precision`` (they start the folder name, for people browsing the
            cache).
        build: writes the export's files into the empty folder it is given (a temporary folder
            beside the final one, moved into place with the manifest once complete, so that
            an interrupted build leaves nothing that passes for an export).
    Returns:
        The export's folder.
    """
    root = exports_root()
    folder = root / f"{key['backend']}-{key['precision']}-{json_sha256(key)[:16]}"
    problem = export_problem(folder, key) if folder.exists() else None
    if folder.exists() and problem is None:
        return folder
    if problem is not None:
        logger.warning('cached export %s is broken (%s): rebuilding it', folder, problem)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f'.{folder.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp'
    tmp.mkdir()
    try:
        build(tmp)
        files = {path.name: file_sha256(path) for path in sorted(tmp.iterdir())}
        atomic_write_text(tmp / MANIFEST, json.dumps(dict(key=key, files=files), indent=1,
                                                     default=str))
        _install(tmp, folder, key)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder
