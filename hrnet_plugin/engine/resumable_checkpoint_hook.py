"""mmengine's CheckpointHook with atomic saving and a resume that survives a crash."""
from typing import Any, Optional

from mmengine.dist import barrier, is_main_process
from mmengine.hooks import CheckpointHook

from hrnet_plugin.registry import HOOKS

from .atomic_local_backend import ATOMIC_LOCAL_BACKEND
from .checkpoint_files import recover_last_checkpoint


@HOOKS.register_module()
class ResumableCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose checkpoints survive a process killed at any moment.

    - Checkpoints are written to a temporary file renamed into place (``AtomicLocalBackend``),
      unless ``backend_args`` chooses another storage backend, so that a kill, a full disk or
      a file-size limit during a save leaves the earlier checkpoints as they were.
    - Before a run resumes from its work dir (``resume=True`` without ``load_from``), the
      ``last_checkpoint`` file is checked and, if a crash left it empty or naming an incomplete
      file, pointed at the newest complete checkpoint, with a warning
      (:func:`~hrnet_plugin.engine.checkpoint_files.recover_last_checkpoint`).

    Takes the arguments of ``CheckpointHook``.
    """

    def __init__(self, *args: Any, backend_args: Optional[dict] = None, **kwargs: Any) -> None:
        if backend_args is None and kwargs.get('file_client_args') is None:
            backend_args = {'backend': ATOMIC_LOCAL_BACKEND}
        super().__init__(*args, backend_args=backend_args, **kwargs)

    def before_run(self, runner) -> None:
        # The Runner resumes (load_or_resume) after `before_run`.
        if runner.cfg.get('resume') and runner.cfg.get('load_from') is None:
            if is_main_process():
                recover_last_checkpoint(runner.work_dir)
            barrier()  # every rank reads the pointer once it is repaired
