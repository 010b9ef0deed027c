"""The config of a training or test run, assembled from the command line of tools/train.py and
tools/test.py (mmpose's command lines)."""
import os.path as osp
from typing import Optional

from mmengine.config import Config


def load_run_config(config: str, cfg_options: Optional[dict] = None, launcher: str = 'none',
                    work_dir: Optional[str] = None) -> Config:
    """Load ``config`` and apply the options every run takes.

    Args:
        config: the config file.
        cfg_options: overrides, merged first, so the tools' own flags have the last word.
        launcher: how the processes were launched ('none', 'pytorch', 'slurm', 'mpi').
        work_dir: where logs and checkpoints go; default: the config's ``work_dir``, else
            ``work_dirs/<config name>``.
    """
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(config))[0])
    return cfg
