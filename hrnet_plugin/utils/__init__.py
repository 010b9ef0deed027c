"""Bottom layer of the package (imports nothing else of it): file reading and writing with
named errors, output-folder locks, COCO detection-results files, the cache folder, the
one-line errors of the command-line tools, and the allowlist that lets torch's weights-only
loader read OpenMMLab checkpoints."""
from .cache import HOME_VARIABLE, cache_root
from .cli import error_line, run_tool
from .detection_results import PERSON_CATEGORY_ID, DetectionResults, read_detection_results
from .directory_lock import DirectoryLock
from .files import (
    PathLike,
    atomic_write_bytes,
    atomic_write_text,
    check_writable_dir,
    naming_write_errors,
    read_json,
)
from .safe_checkpoint import allow_openmmlab_checkpoints, openmmlab_checkpoint_globals

__all__ = [
    'HOME_VARIABLE', 'PERSON_CATEGORY_ID', 'DetectionResults', 'DirectoryLock', 'PathLike',
    'allow_openmmlab_checkpoints', 'atomic_write_bytes', 'atomic_write_text', 'cache_root',
    'check_writable_dir', 'error_line', 'naming_write_errors', 'openmmlab_checkpoint_globals',
    'read_detection_results', 'read_json', 'run_tool',
]
