"""Evaluate a checkpoint on a config's test set with mmengine's Runner.

The command line of mmpose's ``tools/test.py``; this copy is what ``mim test hrnet_plugin``
runs. Examples::

    python tools/test.py CONFIG CHECKPOINT
    python tools/test.py CONFIG CHECKPOINT --dump work_dirs/predictions.pkl --out metrics.json
    python tools/test.py CONFIG CHECKPOINT --show-dir vis      # draw the predictions
    bash tools/dist_test.sh CONFIG CHECKPOINT 8
"""
import argparse
import os
import sys
from typing import List, Optional

import mmengine
from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.runner import Runner

# Registers the plugin (also listed in the configs' custom_imports) and allowlists the types of
# mmengine checkpoints for torch's weights_only loading.
import hrnet_plugin  # noqa: F401
from hrnet_plugin.engine import load_run_config, setup_cpu_distributed
from hrnet_plugin.utils import run_tool


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line (``argv``; ``sys.argv[1:]`` when ``None``)."""
    parser = argparse.ArgumentParser(description='Evaluate a pose model with mmengine\'s Runner')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint: local file or URL (downloaded once into '
                        'the cache); its weights must fit the config\'s model')
    parser.add_argument('--work-dir', help='where logs go (default: work_dirs/<config name>)')
    parser.add_argument('--out', help='write the metrics to this file (.json, .yaml or .pkl)')
    parser.add_argument('--dump', help='write the per-image predictions to this pickle file '
                        '(.pkl), for offline evaluation')
    parser.add_argument('--show-dir', help='draw the predictions into this folder '
                        '(inside the run\'s timestamped folder of the work dir)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config values, key=value (e.g. '
                        'test_dataloader.dataset.bbox_file=None)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='how the processes were launched')
    # torch.distributed.launch passes --local-rank (torch >= 2.0) or --local_rank (older).
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0)
    args = parser.parse_args(argv)
    if args.dump is not None and not args.dump.endswith(('.pkl', '.pickle')):
        parser.error(f'--dump must name a .pkl or .pickle file, got {args.dump}')
    # mmengine reads the local rank from the environment (torchrun sets it itself).
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_config(args: argparse.Namespace) -> Config:
    """Load ``args.config`` and apply the command-line options to it."""
    # --cfg-options first: the flags below act on the overridden config (e.g. --dump extends
    # an evaluator whose fields --cfg-options changed) and have the last word.
    cfg = load_run_config(args.config, args.cfg_options, args.launcher, args.work_dir)
    cfg.load_from = args.checkpoint
    if args.dump is not None:
        # mmengine's DumpResults gathers the predictions of all ranks and pickles them.
        dump = {'type': 'DumpResults', 'out_file_path': args.dump}
        evaluators = cfg.test_evaluator
        cfg.test_evaluator = [*evaluators, dump] if isinstance(evaluators, list) else [
            evaluators, dump]
    if args.show_dir is not None:
        cfg.default_hooks.visualization.update(enable=True, out_dir=args.show_dir)
    return cfg


def test(args: argparse.Namespace) -> None:
    """Build the Runner of ``args``, evaluate, and write the metrics to ``args.out``."""
    cfg = build_config(args)
    setup_cpu_distributed(cfg)
    # A checkpoint that cannot be read or does not fit raises hrnet_plugin.checkpoint's
    # CheckpointError (a ValueError) or DownloadError (an OSError), naming the file: input
    # errors for `run_tool`.
    metrics = Runner.from_cfg(cfg).test()
    if args.out is not None and is_main_process():
        mmengine.dump(metrics, args.out)


def main(argv: Optional[List[str]] = None) -> int:
    """Evaluate; returns the exit status (1: an input error, printed on one line)."""
    return run_tool('test.py', test, parse_args(argv))


if __name__ == '__main__':
    sys.exit(main())
