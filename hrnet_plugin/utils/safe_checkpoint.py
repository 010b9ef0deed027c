"""Load mmengine/mmpose checkpoints with ``torch.load(weights_only=True)``.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``: its unpickler only builds
allowlisted types, so a checkpoint cannot run code while loading. mmengine 0.10.7 calls
``torch.load`` without ``weights_only`` and therefore fails on its own checkpoints (training
resume, ``load_from``, ``mim test``), because they contain numpy arrays/scalars (dataset meta
information, the message hub) and mmengine's ``HistoryBuffer`` (logged scalars).

Instead of turning the protection off, we allowlist exactly those types. Anything else in a
checkpoint still makes ``torch.load`` fail, with torch's message naming the unsupported global.
"""
import pickle
from typing import Callable, List, Tuple, Union

import numpy as np
import torch

SafeGlobal = Union[Callable, Tuple[Callable, str]]
BUILTIN_STATISTICS = frozenset({'min', 'max', 'mean', 'current'})


def _numpy_globals() -> List[SafeGlobal]:
    """The numpy types an array or scalar pickle refers to, under numpy 2 and numpy 1 names."""
    from numpy._core import multiarray

    found: List[SafeGlobal] = [np.ndarray, np.dtype]
    for func in (multiarray._reconstruct, multiarray.scalar):
        # numpy 1.x pickled these as numpy.core.multiarray.*; numpy 2 as numpy._core.*.
        found += [func, (func, f'numpy.core.multiarray.{func.__name__}')]
    # numpy >= 1.25 gives every dtype its own class (numpy.dtypes.Float32DType, ...), which the
    # unpickler meets when it restores a dtype's state.
    found += [cls for cls in vars(np.dtypes).values()
              if isinstance(cls, type) and issubclass(cls, np.dtype)]
    return found


def history_buffer_method(owner: type, name: str) -> Callable:
    """The only ``getattr`` a checkpoint may perform: fetching a ``HistoryBuffer`` statistics
    method (``HistoryBuffer.mean``...). mmengine's message hub stores these functions in every
    buffer, and pickle writes them as ``getattr(HistoryBuffer, 'mean')``."""
    from mmengine.logging import HistoryBuffer

    # The built-in statistics are only entered into `_statistics_methods` when the first
    # buffer is created, so a fresh process must know them by name.
    allowed = BUILTIN_STATISTICS | set(HistoryBuffer._statistics_methods)
    if owner is HistoryBuffer and name in allowed:
        return getattr(owner, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({owner!r}, {name!r}); only HistoryBuffer statistics '
        f'methods {sorted(allowed)} are allowed')


def openmmlab_checkpoint_globals() -> List[SafeGlobal]:
    """Every non-tensor type found in checkpoints written by mmengine's Runner for mmpose."""
    from mmengine.logging import HistoryBuffer

    # `builtins.getattr` resolves to the restricted function above, not to the builtin.
    return _numpy_globals() + [HistoryBuffer, (history_buffer_method, 'builtins.getattr')]


def allow_openmmlab_checkpoints() -> None:
    """Allowlist the types of mmengine/mmpose checkpoints for ``weights_only`` loading."""
    torch.serialization.add_safe_globals(openmmlab_checkpoint_globals())
