"""Read a checkpoint file with torch's weights-only unpickler, failing with an error that names
the file and says what is wrong with it instead of a traceback from inside the unpickler."""
import pickle
import re
from pathlib import Path
from typing import Union

import torch

from hrnet_plugin.utils import PathLike

from .download import download_checkpoint, is_url

# torch's advice around the reason of a weights-only refusal (the reason is kept).
TORCH_ADVICE = ('Weights only load failed', 'Please file an issue', 'Check the documentation')
NEWER_FORMAT = re.compile(r'version (\d+), but the maximum supported version for reading is (\d+)')
ENFORCE_PREFIX = re.compile(r'^\[enforce fail at [^\]]*\][\s.]*')
# A refusal because the pickle asks for a function or class (torch's "unsupported GLOBAL", the
# allowlist's restricted getattr), not because the bytes are no pickle at all.
ASKS_FOR_GLOBAL = re.compile(r'GLOBAL|getattr')


class CheckpointError(ValueError):
    """A checkpoint that cannot be read, or whose weights do not fit the model."""


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """A checkpoint whose pickle asks for types that the weights-only loader does not build (it
    is refused before anything in it runs); an ``UnpicklingError`` as torch's own refusal."""


def resolve_checkpoint(checkpoint: Union[str, PathLike]) -> Path:
    """A local checkpoint file: ``checkpoint`` itself, or the cached download of a URL.

    Raises:
        FileNotFoundError: no file at the local path.
        DownloadError: the URL cannot be downloaded (see ``download_checkpoint``).
    """
    if is_url(checkpoint):
        return download_checkpoint(str(checkpoint))
    path = Path(checkpoint).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint file not found: {path.absolute()}')
    return path


def read_checkpoint(checkpoint: Union[str, PathLike],
                    map_location: Union[str, torch.device, None] = 'cpu') -> dict:
    """Load a checkpoint (a local file or a URL) with ``torch.load(weights_only=True)``.

    Returns:
        The checkpoint dict (``state_dict``, ``meta``... or the weights themselves).

    Raises:
        FileNotFoundError, DownloadError: see ``resolve_checkpoint``.
        UnsafeCheckpointError: the pickle asks for a type outside the allowlist (code, custom
            classes); nothing in it ran.
        CheckpointError: the file is truncated or corrupt, is not a PyTorch checkpoint, was
            written by a newer torch, or holds something else than a dict.
    """
    path = resolve_checkpoint(checkpoint)
    try:
        loaded = torch.load(path, map_location=map_location, weights_only=True)
    except OSError:
        raise  # unreadable file: the OS error names it
    except pickle.UnpicklingError as error:
        lines = [line.strip() for line in str(error).splitlines()]
        reason = ' '.join(line for line in lines if line and not line.startswith(TORCH_ADVICE))
        reason = reason or lines[0]
        if ASKS_FOR_GLOBAL.search(reason):
            raise UnsafeCheckpointError(
                f'checkpoint {path} asks for code or types outside the weights-only allowlist '
                f'and was refused (nothing in it was run): {reason}') from None
        raise CheckpointError(f'checkpoint {path}: not a PyTorch checkpoint ({reason})') from None
    except Exception as error:  # torch fails on corrupt input in many ways
        raise CheckpointError(f'checkpoint {path}: {_explain(error)}') from None
    if not isinstance(loaded, dict):
        raise CheckpointError(f'checkpoint {path} holds a {type(loaded).__name__}, not a dict of '
                              'weights (torch.save(model.state_dict()) or a training checkpoint)')
    return loaded


def _explain(error: Exception) -> str:
    """What a torch.load failure on a file means, for the error message."""
    text = str(error)
    newer = NEWER_FORMAT.search(text)
    if newer:
        return (f'written by a newer PyTorch (file format version {newer.group(1)}; torch '
                f'{torch.__version__} reads up to version {newer.group(2)}): upgrade torch to '
                'load it')
    if isinstance(error, EOFError):
        return 'the file ends before the checkpoint does (empty or truncated)'
    # torch's first sentence says what failed (after the C++ source location); the rest is
    # advice.
    text = ENFORCE_PREFIX.sub('', text)
    message = text.split('. ')[0].splitlines()[0] if text else type(error).__name__
    if isinstance(error, RuntimeError):
        return f'truncated or corrupt file ({message})'
    return f'not a PyTorch checkpoint ({type(error).__name__}: {message})'
