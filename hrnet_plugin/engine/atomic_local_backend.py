"""mmengine's local file backend with writes that never leave a truncated file."""
import os.path as osp
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.utils import mkdir_or_exist

from hrnet_plugin.utils import atomic_write_bytes

#: The ``backend_args`` that select it, e.g. in ``CheckpointHook(backend_args=...)``.
ATOMIC_LOCAL_BACKEND = 'atomic_local'


@register_backend(ATOMIC_LOCAL_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose ``put``/``put_text`` write a temporary file renamed into place
    (``hrnet_plugin.utils.atomic_write_bytes``): a process killed while saving a checkpoint,
    a full disk or a file-size limit leave the previous file intact and no partial one under
    the final name. mmengine's own backend opens the final file and writes into it."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        mkdir_or_exist(osp.dirname(str(filepath)))
        atomic_write_bytes(filepath, obj)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)
