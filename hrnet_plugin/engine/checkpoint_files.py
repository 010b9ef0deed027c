"""The checkpoints of a work dir: which are complete, and which one a resumed run continues
from."""
import logging
import re
import zipfile
from pathlib import Path
from typing import List, Optional

from mmengine.logging import print_log

from hrnet_plugin.utils import PathLike, atomic_write_text

#: What mmengine's CheckpointHook names the file that holds the path of the last checkpoint.
POINTER_NAME = 'last_checkpoint'
# The checkpoints CheckpointHook saves by epoch or iteration (not the best ones, which lack
# the optimizer and schedule a resumed run needs).
_RESUMABLE = re.compile(r'(?:epoch|iter)_(\d+)\.pth')
# What a write killed before its rename leaves (AtomicLocalBackend / atomic_write_bytes).
_PARTIAL = re.compile(r'\..+\.pth\.\d+\.[0-9a-f]+\.tmp')


def is_complete_checkpoint(path: PathLike) -> bool:
    """Whether ``path`` is a whole ``torch.save`` file: a zip archive whose every member
    passes its CRC check. A file cut short by a crash or a full disk lacks the archive's
    directory at its end; a damaged one fails a CRC."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (OSError, zipfile.BadZipFile, EOFError):
        return False


def resumable_checkpoints(work_dir: PathLike) -> List[Path]:
    """The ``epoch_N.pth`` / ``iter_N.pth`` files of ``work_dir``, newest (largest N) first."""
    found = [(int(match.group(1)), path) for path in Path(work_dir).iterdir()
             if (match := _RESUMABLE.fullmatch(path.name))]
    return [path for _, path in sorted(found, reverse=True)]


def recover_last_checkpoint(work_dir: PathLike) -> Optional[Path]:
    """Make ``work_dir/last_checkpoint`` name a complete checkpoint before a run resumes.

    mmengine resumes from the file that ``last_checkpoint`` names, which a crash can leave
    empty or cut short (it is rewritten in place after each save), or naming a checkpoint cut
    short by a writer that is not atomic. When it does not name a complete checkpoint, the
    newest complete ``epoch_N.pth``/``iter_N.pth`` of ``work_dir`` is written into it instead
    (a warning says which), or, if there is none, the pointer is removed so that the run
    starts from the beginning (with a warning). Partial files of writes killed before their
    rename are deleted.

    Returns:
        The checkpoint the run will resume from, or None.
    """
    work_dir = Path(work_dir)
    if not work_dir.is_dir():
        return None
    for partial in work_dir.iterdir():
        if _PARTIAL.fullmatch(partial.name):
            partial.unlink()
            print_log(f'deleted {partial}, a checkpoint write that was interrupted',
                      logger='current', level=logging.WARNING)
    pointer = work_dir / POINTER_NAME
    named = pointer.read_text(errors='replace').strip() if pointer.is_file() else ''
    if named and is_complete_checkpoint(named):
        return Path(named)
    complete = next((p for p in resumable_checkpoints(work_dir) if is_complete_checkpoint(p)),
                    None)
    if not named and complete is None:
        return None  # nothing was saved: mmengine starts from the beginning
    problem = (f'{pointer} names {named!r}, which is missing or incomplete' if named
               else f'{pointer} is missing or empty')
    if complete is None:
        pointer.unlink(missing_ok=True)
        print_log(f'{problem}, and {work_dir} holds no complete checkpoint: training starts '
                  'from the beginning', logger='current', level=logging.WARNING)
        return None
    atomic_write_text(pointer, str(complete))
    print_log(f'{problem}: resuming from {complete}, the newest complete checkpoint',
              logger='current', level=logging.WARNING)
    return complete
