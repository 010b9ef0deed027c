"""Checkpoints by URL: downloaded once into the cache folder, verified, never half-written.

A checkpoint URL is stored under its own file name in ``hrnet_plugin.utils.cache_root()``
(torch hub's checkpoint folder unless ``$HRNET_PLUGIN_HOME`` is set), where a later call finds
it without any request. The transfer goes into a temporary file of the same folder that is
renamed into place only once complete and verified, so an interrupted or refused download never
leaves a file that looks complete. OpenMMLab and torch hub name their files after the start of
their SHA-256 (``name-81c58e40_20220909.pth``, ``name-81c58e40.pth``); a file whose content does
not match is refused and removed.
"""
import hashlib
import http.client
import logging
import os
import re
import uuid
from pathlib import Path
from typing import Optional, Tuple, Union
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlparse
from urllib.request import Request, urlopen

from tqdm import tqdm

from hrnet_plugin.utils import PathLike, cache_root, check_writable_dir

logger = logging.getLogger(__name__)

#: Seconds to wait for a connection or for the next bytes of a transfer.
DEFAULT_TIMEOUT = 30.0
URL_SCHEMES = ('http://', 'https://')
# `-<hex>` before the extension, optionally followed by mmpose's `_<yyyymmdd>` date.
HASH_IN_NAME = re.compile(r'-([0-9a-f]{8,64})(?:_\d{8})?\.[A-Za-z0-9]+$')
CHUNK_BYTES = 1 << 20


class DownloadError(OSError):
    """A checkpoint could not be downloaded, or its content is not the published file."""


def is_url(text: Union[str, PathLike]) -> bool:
    """Whether ``text`` is an ``http(s)://`` URL."""
    return str(text).startswith(URL_SCHEMES)


def hash_prefix(file_name: str) -> Optional[str]:
    """The SHA-256 prefix a checkpoint's name carries (``...-81c58e40_20220909.pth`` ->
    ``'81c58e40'``), or None."""
    match = HASH_IN_NAME.search(file_name)
    return match.group(1) if match else None


def url_file_name(url: str) -> str:
    """The file name at the end of ``url``'s path.

    Raises:
        ValueError: the URL does not end with a file name.
    """
    name = unquote(Path(urlparse(url).path).name)
    if not name:
        raise ValueError(f'checkpoint URL {url!r} does not end with a file name')
    return name


def cached_file(url: str, cache_dir: Optional[PathLike] = None) -> Path:
    """Where the file of ``url`` is (or will be) kept: ``<cache>/<file name>``."""
    return Path(cache_dir if cache_dir is not None else cache_root()) / url_file_name(url)


def download_checkpoint(url: str, cache_dir: Optional[PathLike] = None,
                        timeout: float = DEFAULT_TIMEOUT, progress: bool = True) -> Path:
    """The local copy of the checkpoint at ``url``, downloaded into the cache when missing.

    Args:
        url: ``http(s)://`` URL.
        cache_dir: folder of the copies; default ``cache_root()``.
        timeout: seconds to wait for the connection and for each block of the transfer; a
            host that does not answer fails after that.
        progress: show a tqdm progress bar while downloading.

    Returns:
        The cached file (no request is made when it already exists).

    Raises:
        DownloadError: the server cannot be reached or refuses the file (status code), the
            transfer stops before the announced size, or the content's SHA-256 does not start
            with the hash in the file name; the message names the URL and the cache path where
            a copy downloaded by other means would be used. Nothing is left in the cache.
    """
    target = cached_file(url, cache_dir)
    if target.is_file():
        return target
    check_writable_dir(target.parent)
    expected = hash_prefix(target.name)
    if expected is None:
        logger.warning('%s carries no SHA-256 prefix in its name: its content is not verified',
                       url)
    offline = (f'Without network access, download it by other means and put it at {target}, '
               'or pass its local path instead of the URL')
    tmp = target.with_name(f'.{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part')
    try:
        digest, received, size = _transfer(url, tmp, timeout, target.name if progress else None)
        if size is not None and received != size:
            raise DownloadError(f'download of {url} stopped after {received} of {size} bytes. '
                                f'{offline}')
        if expected is not None and not digest.startswith(expected):
            raise DownloadError(f'{url}: the downloaded file has SHA-256 {digest}, but its name '
                                f'says it starts with {expected}; the file was removed')
        os.replace(tmp, target)
    except HTTPError as error:
        raise DownloadError(f'cannot download {url}: HTTP {error.code} {error.reason}. '
                            f'{offline}') from None
    except URLError as error:
        raise DownloadError(f'cannot download {url}: {error.reason}. {offline}') from None
    except (TimeoutError, ConnectionError, http.client.HTTPException) as error:
        raise DownloadError(f'cannot download {url}: {type(error).__name__} {error}. '
                            f'{offline}') from None
    finally:
        tmp.unlink(missing_ok=True)
    logger.info('downloaded %s to %s', url, target)
    return target


def _transfer(url: str, path: Path, timeout: float,
              label: Optional[str]) -> Tuple[str, int, Optional[int]]:
    """Stream ``url`` into the new file ``path`` under a progress bar labelled ``label`` (None:
    no bar): (SHA-256 hex digest, bytes received, size announced by the server or None)."""
    request = Request(url, headers={'User-Agent': 'hrnet_plugin'})
    sha256, received = hashlib.sha256(), 0
    with urlopen(request, timeout=timeout) as response, open(path, 'xb') as file:
        size = response.length  # Content-Length, None when the server does not announce it
        with tqdm(total=size, unit='B', unit_scale=True, unit_divisor=1024, desc=label,
                  disable=label is None, leave=False) as bar:
            while chunk := response.read(CHUNK_BYTES):
                file.write(chunk)
                sha256.update(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        # On disk before the rename, so that a crash cannot leave a complete-looking name
        # over missing data.
        file.flush()
        os.fsync(file.fileno())
    return sha256.hexdigest(), received, size
