"""An exclusive lock on an output folder, so that two runs never write into the same one."""
import fcntl
import logging
import os
from pathlib import Path
from typing import Optional

from .files import PathLike

logger = logging.getLogger(__name__)


class DirectoryLock:
    """Holds ``<folder>/<name>`` locked (``flock``) while a process writes into ``folder``.

    The kernel releases the lock when its process ends, however it ends (SIGKILL included),
    so a lock left behind by a dead process is free by construction and the next run takes it
    over. The file holds the owner's process id, which the error of a second run names. The
    file is never deleted: deleting it could let two runs lock two different files.

    Args:
        folder: the folder (it exists).
        name: the lock file's name in it.

    Raises:
        BlockingIOError: from ``acquire``, when another live process holds the lock.
    """

    def __init__(self, folder: PathLike, name: str = '.lock') -> None:
        self.path = Path(folder) / name
        self._fd: Optional[int] = None

    def acquire(self) -> None:
        """Take the lock, or raise naming the process that holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 64).decode(errors='replace').strip() or 'unknown'
            os.close(fd)
            raise BlockingIOError(
                f'{self.path.parent} is in use by process {owner} (lock file {self.path}): '
                'wait for that run to end, or choose another output folder') from None
        previous = os.read(fd, 64).decode(errors='replace').strip()
        if previous and previous != str(os.getpid()):
            logger.warning('%s: taking over the lock of process %s, which has ended',
                           self.path, previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f'{os.getpid()}\n'.encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (the file stays)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> 'DirectoryLock':
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
