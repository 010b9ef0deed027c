"""The Runner's checkpoint loading made strict: ``load_from``, ``resume``, ``tools/test.py``,
also under mmpose's own tools and ``mim``."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import find_latest_checkpoint

from hrnet_plugin.registry import HOOKS

from .strict_loading import fit_checkpoint


@HOOKS.register_module()
class StrictLoadHook(Hook):
    """Refuse a checkpoint whose weights do not fit the model, before the Runner loads it.

    mmengine's Runner loads ``load_from`` and resumed checkpoints with ``strict=False``: keys
    that do not fit are logged and left at their initial values. Every run of a config with this
    hook (``configs/_base_/default_runtime.py`` sets it in ``default_hooks``, so mmpose's
    ``tools/train.py``/``tools/test.py`` and ``mim train/test`` run it too) checks the loaded
    checkpoint first with ``fit_checkpoint``: an error lists the missing, unexpected and
    mis-shaped keys and names the file. mmpose 0.x checkpoints are converted as mmpose 1.x
    reads them.

    Args:
        strict: False loads only the weights that fit (logged), e.g. to fine-tune a COCO model
            on a dataset with other keypoints: ``default_hooks.strict_load.strict=False``.
    """

    priority = 'VERY_HIGH'  # before any other hook reads the checkpoint

    def __init__(self, strict: bool = True) -> None:
        self.strict = strict

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        # The Runner loads checkpoint['state_dict'] (or the dict itself) next.
        checkpoint['state_dict'] = fit_checkpoint(model, checkpoint, _source(runner), self.strict)


def _source(runner) -> str:
    """The checkpoint the Runner is loading, as its ``load_or_resume`` chooses it."""
    source: Optional[str] = runner.cfg.get('load_from')
    if source is None and runner.cfg.get('resume'):
        source = find_latest_checkpoint(runner.work_dir)
    return str(source or 'the loaded checkpoint')
