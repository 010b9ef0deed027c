"""Train a pose model from an mmengine config with mmengine's Runner.

The command line of mmpose's ``tools/train.py``; this copy is what ``mim train hrnet_plugin``
runs. Examples::

    python tools/train.py configs/coco/td-hm_hrnet-w32_8xb64-210e_coco-256x192.py
    python tools/train.py CONFIG --resume                 # from WORK_DIR's latest checkpoint
    python tools/train.py CONFIG --resume CHECKPOINT      # from a given checkpoint
    python tools/train.py CONFIG --cfg-options train_dataloader.batch_size=32
    bash tools/dist_train.sh CONFIG 8                     # 8 processes (GPUs, or CPU over gloo)
"""
import argparse
import os
import sys
from typing import List, Optional

from mmengine.config import Config, DictAction


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line (``argv``; ``sys.argv[1:]`` when ``None``)."""
    parser = argparse.ArgumentParser(description='Train a pose model with mmengine\'s Runner')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', const='auto', metavar='CHECKPOINT',
                        help='resume training (optimizer, schedule, epoch) from CHECKPOINT, or '
                        'without a value from the latest checkpoint in the work dir; its weights '
                        'must fit the model')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (mmengine\'s AmpOptimWrapper; needs a GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the total batch size / auto_scale_lr.base_batch_size')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config values, key=value (e.g. train_cfg.max_epochs=2)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='how the processes were launched')
    # torch.distributed.launch passes --local-rank (torch >= 2.0) or --local_rank (older).
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0)
    args = parser.parse_args(argv)
    # mmengine reads the local rank from the environment (torchrun sets it itself).
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_config(args: argparse.Namespace) -> Config:
    """Load ``args.config`` and apply the command-line options to it."""
    from hrnet_plugin.engine import load_run_config

    cfg = load_run_config(args.config, args.cfg_options, args.launcher, args.work_dir)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume is not None:
        cfg.resume = True
        # mmengine resumes from load_from, or finds the latest checkpoint when it is None.
        cfg.load_from = None if args.resume == 'auto' else args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    return cfg


def train(args: argparse.Namespace) -> None:
    """Build the Runner of ``args`` and train."""
    from mmengine.runner import Runner

    from hrnet_plugin.engine import setup_cpu_distributed

    cfg = build_config(args)
    setup_cpu_distributed(cfg)
    # A `load_from` or `--resume` checkpoint that cannot be read or does not fit the model
    # raises hrnet_plugin.checkpoint's CheckpointError (a ValueError) or DownloadError (an
    # OSError): input errors for `run_tool`.
    Runner.from_cfg(cfg).train()


def main(argv: Optional[List[str]] = None) -> int:
    """Train; returns the exit status (1: an input error, printed on one line)."""
    args = parse_args(argv)
    # Imported here rather than at the top: `mim train` runs `train.py -h` before every training
    # to probe its options, and the help needs neither torch nor the Runner. The import
    # registers the plugin (also listed in the configs' custom_imports) and allowlists the types
    # of mmengine checkpoints for torch's weights_only loading, which `--resume` needs.
    from hrnet_plugin.utils import run_tool

    return run_tool('train.py', train, args)


if __name__ == '__main__':
    sys.exit(main())
