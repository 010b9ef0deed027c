"""Offline quickstart: synthetic data, time-boxed training, COCO evaluation and a report.

The engine of ``tools/quickstart.py``. Everything goes under one output folder::

    data/             the synthetic dataset (reused when its manifest matches)
    train/            mmengine's work dir: checkpoints, logs, ``stdout.log``
    summary.json      AP/AR with annotated and with detected boxes, training time and speed
    curves.png        training loss and validation AP against the iteration
    predictions.png   validation images with the predicted skeletons

Files are added or overwritten by name; the only ones deleted are the run's own older
checkpoints (mmengine keeps the last two).
"""
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner
from PIL import Image

from .engine import TIME_BUDGET_KEY
from .synthetic import generate_synthetic_coco
from .utils import PathLike, check_writable_dir, read_detection_results, read_json

#: The metrics of ``summary.json``, for each kind of person boxes.
SUMMARY_METRICS = ('coco/AP', 'coco/AP .5', 'coco/AR')
#: The COCO AP the default run is made to reach, with annotated and with detected boxes.
TARGET_AP = {'gt_boxes': 0.60, 'detection_boxes': 0.50}


def last_checkpoint(work_dir: Path) -> Optional[Path]:
    """The checkpoint mmengine saved last in ``work_dir`` (what ``resume`` continues from)."""
    pointer = work_dir / 'last_checkpoint'
    return Path(pointer.read_text().strip()) if pointer.is_file() else None


def build_config(config: PathLike, out_dir: Path, data: Dict[str, Any], minutes: float,
                 seed: int, resume: bool, cfg_options: Optional[dict] = None) -> Config:
    """The quickstart config pointed at ``data`` (``generate_synthetic_coco``'s result), with
    the time budget, seed and resumption of the command line; ``cfg_options`` last."""
    cfg = Config.fromfile(str(config))
    data_root = str(Path(data['out_dir']).resolve()) + '/'
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = data_root
    cfg.test_dataloader.dataset.bbox_file = str(Path(data['val_detections']).resolve())
    budget = [hook for hook in cfg.custom_hooks if hook.type == 'hrnet_plugin.TimeBudgetHook']
    budget[0].minutes = minutes
    cfg.randomness = dict(seed=seed)
    cfg.work_dir = str(out_dir / 'train')
    cfg.resume = resume  # from work_dir's last checkpoint (load_from stays None)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def read_scalars(work_dir: Path) -> Tuple[List[dict], List[dict]]:
    """The training and validation records logged in ``work_dir``, across resumed runs.

    Each run of the Runner logs into its own timestamped folder. Records of a later run replace
    those of earlier runs from its first logged iteration on (a resumed run repeats the
    iterations after its checkpoint; a new run starts over).

    Returns:
        Training records (``loss``, ``lr``, ``step``...) and validation records (``coco/AP``,
        ``step``...), each sorted by ``step`` (the iteration).
    """
    train: List[dict] = []
    val: List[dict] = []
    for path in sorted(work_dir.glob('*/vis_data/scalars.json')):
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if not records:
            continue
        first = min(record['step'] for record in records)
        train = [r for r in train if r['step'] < first]
        val = [r for r in val if r['step'] < first]
        for record in records:
            (train if 'loss' in record else val).append(record)
    return sorted(train, key=lambda r: r['step']), sorted(val, key=lambda r: r['step'])


def plot_curves(train: Sequence[dict], val: Sequence[dict], path: Path,
                detection_ap: Optional[float] = None) -> None:
    """Writes a PNG of the training loss and of the validation AP against the iteration."""
    import matplotlib
    matplotlib.use('Agg')  # files only: no display needed
    import matplotlib.pyplot as plt

    fig, (loss_ax, ap_ax) = plt.subplots(1, 2, figsize=(9, 3.2))
    loss_ax.plot([r['step'] for r in train], [r['loss'] for r in train], color='tab:blue')
    loss_ax.set(yscale='log', xlabel='iteration', ylabel='heatmap MSE loss', title='training')
    ap_ax.plot([r['step'] for r in val], [r['coco/AP'] for r in val], 'o-', color='tab:green',
               label='annotated boxes')
    if detection_ap is not None and val:
        ap_ax.plot([val[-1]['step']], [detection_ap], 's', color='tab:orange',
                   label='detected boxes')
    ap_ax.set(ylim=(0, 1), xlabel='iteration', ylabel='COCO AP', title='validation')
    ap_ax.legend(loc='lower right')
    for ax in (loss_ax, ap_ax):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def draw_predictions(config: Config, checkpoint: Path, data: Dict[str, Any], path: Path,
                     num_images: int = 8, columns: int = 4, score_thr: float = 0.3) -> None:
    """Writes a PNG grid of the first validation images with the poses the checkpoint predicts
    in their detected boxes (``val_detections.json``, boxes scoring at least ``score_thr``)."""
    from .apis import draw_pose, estimate_poses, init_pose_model

    model = init_pose_model(config, str(checkpoint))
    images = read_json(data['val_ann'], 'annotation file')['images'][:num_images]
    detected = read_detection_results(data['val_detections']).by_image_id()
    boxes = [detected.get(image['id'], np.zeros((0, 5), np.float32)) for image in images]
    paths = [str(Path(data['val_img_dir']) / image['file_name']) for image in images]
    results = estimate_poses(model, paths, [b[b[:, 4] >= score_thr] for b in boxes],
                             bbox_format='xywh')
    tiles = [draw_pose(cv2.imread(p), r, model.dataset_meta) for p, r in zip(paths, results)]
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % columns)
    rows = [np.hstack(tiles[i:i + columns]) for i in range(0, len(tiles), columns)]
    # A 256-colour palette: the noisy synthetic backgrounds make a true-colour PNG ~5x larger.
    Image.fromarray(np.vstack(rows)[..., ::-1]).quantize(256).save(path, optimize=True)


def _summary_metrics(metrics: Dict[str, float]) -> Dict[str, float]:
    return {key: round(float(metrics[key]), 4) for key in SUMMARY_METRICS}


def run_quickstart(config: PathLike, out_dir: PathLike, minutes: float, seed: int = 0,
                   resume: bool = False, num_train: int = 1500, num_val: int = 200,
                   cfg_options: Optional[dict] = None) -> Dict[str, Any]:
    """Generates the data, trains within ``minutes``, evaluates and writes the report.

    Args:
        config: The quickstart config.
        out_dir: Output folder (see the module docstring).
        minutes: Training time budget (validations during training included).
        seed: Seed of the dataset and of training.
        resume: Continue from the last checkpoint in ``out_dir/train``.
        num_train: Training images to generate (1 to 4 persons each).
        num_val: Validation images to generate.
        cfg_options: Config overrides, applied last.

    Returns:
        The summary written to ``summary.json``, plus the ``paths`` of the outputs.

    Raises:
        OSError: ``out_dir`` cannot be written.
        FileNotFoundError: ``resume`` without a checkpoint in ``out_dir/train``.
        FileExistsError: ``out_dir/data`` holds files the dataset generator did not write.
    """
    start = time.perf_counter()
    out = Path(out_dir)
    check_writable_dir(out)
    work_dir = out / 'train'
    if resume and last_checkpoint(work_dir) is None:
        raise FileNotFoundError(f'nothing to resume: no checkpoint in {work_dir}')
    print(f'Synthetic dataset: {out / "data"} ...', flush=True)
    data = generate_synthetic_coco(out / 'data', num_train=num_train, num_val=num_val,
                                   seed=seed)
    print(f'  {"reused" if data["reused"] else "generated"}: {data["num_train_instances"]} '
          f'training and {data["num_val_instances"]} validation persons', flush=True)
    cfg = build_config(config, out, data, minutes, seed, resume, cfg_options)
    work_dir.mkdir(parents=True, exist_ok=True)
    console = sys.stdout
    # The Runner's console log and the COCO evaluation tables go to a file, so the console
    # shows the progress bar (stderr) and the report; the Runner also keeps its own full log.
    with open(work_dir / 'stdout.log', 'a') as sink, contextlib.redirect_stdout(sink):
        runner = Runner.from_cfg(cfg)
        print(f'Training for {minutes:g} min ...', file=console, flush=True)
        runner.train()
        checkpoint = last_checkpoint(work_dir)
        train_records, val_records = read_scalars(work_dir)
        final = [r for r in val_records if r['step'] == runner.iter]
        # The loop validates on the annotated boxes at its last iteration; a resumed run that
        # had nothing left to train did not.
        gt_metrics = final[-1] if final else runner.val()
        print('Evaluating on the detected boxes, drawing predictions ...', file=console,
              flush=True)
        det_metrics = runner.test()
        budget = runner.message_hub.get_info(TIME_BUDGET_KEY)
        draw_predictions(cfg, checkpoint, data, out / 'predictions.png')
    plot_curves(train_records, val_records, out / 'curves.png', det_metrics['coco/AP'])
    summary = {
        'gt_boxes': _summary_metrics(gt_metrics),
        'detection_boxes': _summary_metrics(det_metrics),
        'target_ap': TARGET_AP,
        'target_reached': all(float(metrics['coco/AP']) >= TARGET_AP[boxes] for boxes, metrics
                              in (('gt_boxes', gt_metrics), ('detection_boxes', det_metrics))),
        'train_minutes': round(budget['elapsed'] / 60, 2),
        # Training steps only (with their data loading), without validations.
        'train_images_per_s': round(budget['train_iters'] * cfg.train_dataloader.batch_size
                                    / max(budget['train_seconds'], 1e-9), 1),
        'iterations': runner.iter,
        'batch_size': cfg.train_dataloader.batch_size,
        'num_train_persons': data['num_train_instances'],
        'num_val_persons': data['num_val_instances'],
        'seed': seed,
        'checkpoint': str(checkpoint),
        'config': str(config),
        'total_minutes': round((time.perf_counter() - start) / 60, 2),
    }
    (out / 'summary.json').write_text(json.dumps(summary, indent=2) + '\n')
    summary['paths'] = {'summary': out / 'summary.json', 'curves': out / 'curves.png',
                        'predictions': out / 'predictions.png', 'log': work_dir / 'stdout.log'}
    return summary
