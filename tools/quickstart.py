"""Offline quickstart: train, evaluate and show a small HRNet on built-in synthetic data.

Generates synthetic people in COCO format (reused when they exist), trains
configs/quickstart/ for ``--minutes`` with mmengine's Runner, evaluates with CocoMetric on the
annotated and on detected boxes, and writes summary.json, curves.png and predictions.png into
``--out-dir``. Needs no download. See docs/quickstart.md.

    python tools/quickstart.py --out-dir work_dirs/quickstart [--minutes 4.5] [--seed 0]
    python tools/quickstart.py --out-dir work_dirs/quickstart --resume    # after Ctrl-C
"""
import argparse
import math
import os
import sys
import warnings
from pathlib import Path
from typing import List, Optional

# Before torch is imported (its OpenMP runtime reads this once): threads that wait for each
# other sleep instead of spinning. Spinning threads starve the data-loading worker and any other
# program on a small machine; measured on 2 cores with one busy program beside the training,
# passive waiting made the two torch threads 1.6x faster.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

TOOLS = Path(__file__).resolve().parent
CONFIG = TOOLS.parent / 'configs' / 'quickstart' / (
    'td-hm_hrnet-w24-tiny_1xb32-5min_synthetic-96x64.py')
DEFAULT_MINUTES = 4.5  # the config's TimeBudgetHook budget, which --minutes replaces


def positive_minutes(text: str) -> float:
    """argparse type: a finite number of minutes > 0."""
    value = float(text)
    if not 0 < value < math.inf:  # also rejects nan
        raise argparse.ArgumentTypeError(f'must be > 0 (and finite), got {text}')
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f'must be >= 0, got {text}')
    return value


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line; an output folder that cannot be written is an error here,
    before any work."""
    from mmengine.config import DictAction

    from hrnet_plugin.utils import check_writable_dir

    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out-dir', type=Path, default=Path('work_dirs/quickstart'),
                        help='output folder (default: %(default)s)')
    parser.add_argument('--minutes', type=positive_minutes, default=DEFAULT_MINUTES,
                        help='training time budget, validations included '
                        '(default: %(default)s)')
    parser.add_argument('--seed', type=non_negative_int, default=0,
                        help='seed of the dataset and of training (default: %(default)s)')
    parser.add_argument('--resume', action='store_true',
                        help='continue the interrupted training in --out-dir')
    # For tests and experiments: dataset size and config overrides (key=value ...).
    parser.add_argument('--num-train', type=int, default=1500, help=argparse.SUPPRESS)
    parser.add_argument('--num-val', type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        check_writable_dir(args.out_dir)
    except OSError as error:
        parser.error(f'--out-dir: {error}')
    return args


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when inside it, for copy-pasting."""
    path = Path(os.path.abspath(path))
    return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)


def _resume_command(args: argparse.Namespace) -> str:
    command = f'python {_shown(TOOLS / "quickstart.py")} --out-dir {_shown(args.out_dir)}'
    if args.minutes != DEFAULT_MINUTES:
        command += f' --minutes {args.minutes:g}'
    if args.seed:
        command += f' --seed {args.seed}'
    return command + ' --resume'


def report(summary: dict, args: argparse.Namespace) -> str:
    """The closing text: metrics, where the outputs are, how to use the model."""
    lines = [f'\nDone in {summary["total_minutes"]:.1f} min. Training: {summary["iterations"]} '
             f'iterations in {summary["train_minutes"]:.1f} min '
             f'({summary["train_images_per_s"]:.0f} images/s).',
             f'{"":18}{"AP":>7}{"AP .5":>7}{"AR":>7}']
    for name, key in (('annotated boxes', 'gt_boxes'), ('detected boxes', 'detection_boxes')):
        metrics = summary[key]
        lines.append(f'  {name:16}' + ''.join(
            f'{metrics[m]:7.3f}' for m in ('coco/AP', 'coco/AP .5', 'coco/AR')))
    target = summary['target_ap']
    lines.append(f'Target AP >= {target["gt_boxes"]:.2f} (annotated) and >= '
                 f'{target["detection_boxes"]:.2f} (detected boxes): '
                 + ('reached.' if summary['target_reached'] else
                    'not reached; a longer run (--minutes) gets there.'))
    paths = summary['paths']
    lines += ['Outputs:',
              f'  summary      {_shown(paths["summary"])}',
              f'  curves       {_shown(paths["curves"])}',
              f'  predictions  {_shown(paths["predictions"])}',
              f'  checkpoint   {_shown(Path(summary["checkpoint"]))}',
              f'  logs         {_shown(paths["log"])} and the Runner\'s logs beside it',
              'Estimate poses on your own image (the whole image is one person unless you give '
              'boxes with --bboxes FILE.json):',
              f'  python {_shown(TOOLS / "infer.py")} {_shown(CONFIG)} '
              f'{_shown(Path(summary["checkpoint"]))} --input YOUR_IMAGE.jpg '
              f'--out-dir {_shown(args.out_dir / "infer")}']
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    # mmengine imports pkg_resources, which warns about its own deprecation.
    warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
    args = parse_args(argv)
    from hrnet_plugin.quickstart import last_checkpoint, run_quickstart

    try:
        summary = run_quickstart(CONFIG, args.out_dir, args.minutes, seed=args.seed,
                                 resume=args.resume, num_train=args.num_train,
                                 num_val=args.num_val, cfg_options=args.cfg_options)
    except KeyboardInterrupt:
        checkpoint = last_checkpoint(args.out_dir / 'train')
        print('\nInterrupted.', file=sys.stderr)
        if checkpoint is not None:
            print(f'The last checkpoint is {_shown(checkpoint)}; continue with:\n  '
                  f'{_resume_command(args)}', file=sys.stderr)
        return 130
    except (FileNotFoundError, FileExistsError) as error:
        print(f'quickstart.py: error: {error}', file=sys.stderr)
        return 1
    print(report(summary, args))
    return 0


if __name__ == '__main__':
    sys.exit(main())
