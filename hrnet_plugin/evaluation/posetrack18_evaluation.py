"""Scoring a folder of PoseTrack18 result files against the per-video ground truth, mAP and
tracking together, as poseval scores them, and the report the tools print and write.

Shape legend: J = 15 evaluated joints.
"""
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

from hrnet_plugin.utils import PathLike, atomic_write_text

from .functional.posetrack_map import (
    POSETRACK18_EVAL_KEYPOINTS,
    PoseTrackFrame,
    joint_average_precision,
    summarize_average_precision,
)
from .functional.posetrack_mota import MOT_COUNTS, posetrack_tracking, summarize_tracking
from .posetrack18_files import (
    PoseTrack18Image,
    PoseTrack18Result,
    evaluation_frame,
    load_posetrack18_ground_truth,
    load_posetrack18_results,
)


def _paired_video(images: List[PoseTrack18Image], results: List[PoseTrack18Result],
                  path: Path) -> List[PoseTrackFrame]:
    """The evaluated frames of a video: its frames with ground-truth persons, paired with the
    result frame at the same position of ``images`` (as poseval pairs them)."""
    if len(results) != len(images):
        raise ValueError(f'{path}: field "images" has {len(results)} frames but the ground '
                         f'truth of the video has {len(images)}')
    frames = []
    for index, (image, result) in enumerate(zip(images, results)):
        # The frame's file and, when the result names it, its folder (the video) must agree.
        named = Path(result.file_name).parts[-2:]
        if named != Path(image.file_name).parts[-len(named):]:
            raise ValueError(f'{path}: frame {index}: field "file_name" is '
                             f'"{result.file_name}" but the ground truth has '
                             f'"{image.file_name}" there (frames pair by position)')
        if len(image.keypoints):
            frames.append(evaluation_frame(image, result.keypoints, result.scores,
                                           result.present, result.track_ids))
    return frames


def evaluate_posetrack18_results(gt_dir: PathLike, pred_dir: PathLike) -> Dict[str, Any]:
    """Score a folder of per-video result files against the per-video ground truth.

    Every ``<video>.json`` of ``gt_dir`` needs a result file of the same name in ``pred_dir``
    with the same frames (paired by position in ``images``, checked by file name); files of
    other videos are ignored. Scores are poseval's: the mAP
    (:mod:`.functional.posetrack_map`) and MOTA, MOTP, precision and recall
    (:mod:`.functional.posetrack_mota`).

    Returns:
        ``'per_joint'``: ``{'AP', 'MOTA', 'MOTP', 'Precision', 'Recall'}``, each (J,) in
        percent; ``'counts'``: (J, 6) MOT counts (:data:`MOT_COUNTS`); ``'summary'``: the AP
        and MOTA per body-part group and the totals (``'Total AP'``, ``'Total MOTA'``,
        ``'Total MOTP'``, ``'Total Precision'``, ``'Total Recall'``); ``'videos'`` and
        ``'frames'``, the numbers evaluated.

    Raises:
        FileNotFoundError: a folder or a result file is missing (named).
        ValueError: bad content, naming the file, frame and field.
    """
    gt_dir, pred_dir = Path(gt_dir), Path(pred_dir)
    if not gt_dir.is_dir():
        raise FileNotFoundError(f'ground-truth folder {gt_dir} does not exist')
    if not pred_dir.is_dir():
        raise FileNotFoundError(f'prediction folder {pred_dir} does not exist')
    videos: Dict[str, List[PoseTrack18Image]] = defaultdict(list)
    for image in load_posetrack18_ground_truth(gt_dir, require_track_ids=True).values():
        videos[image.sequence].append(image)
    paired = []
    for sequence, images in videos.items():
        path = pred_dir / f'{sequence}.json'
        if not path.is_file():
            raise FileNotFoundError(f'{path}: the result file of video {sequence} is missing')
        paired.append(_paired_video(images, load_posetrack18_results(path), path))
    frames = [frame for video in paired for frame in video]
    if not frames:
        raise ValueError(f'{gt_dir}: no frame has ground-truth persons to evaluate')
    joint_ap = joint_average_precision(frames)
    tracking = posetrack_tracking(paired)
    per_joint = {'AP': joint_ap, **{name: tracking[name] for name in
                                    ('MOTA', 'MOTP', 'Precision', 'Recall')}}
    summary = {**summarize_average_precision(joint_ap), **summarize_tracking(tracking)}
    return {'per_joint': per_joint, 'counts': tracking['counts'], 'summary': summary,
            'videos': len(paired), 'frames': len(frames)}


def _number(value: float) -> Optional[float]:
    """A json number (None for nan), rounded to 1e-6."""
    return None if np.isnan(value) else round(float(value), 6)


def posetrack18_report(results: Dict[str, Any]) -> Dict[str, Any]:
    """The json report of :func:`evaluate_posetrack18_results`: the totals ``mAP``, ``MOTA``,
    ``MOTP``, ``Precision``, ``Recall`` (percent; null for nan), the body-part groups, and per
    joint the five values and the MOT counts."""
    summary = results['summary']
    report = {'mAP': _number(summary['Total AP'])}
    for name in ('MOTA', 'MOTP', 'Precision', 'Recall'):
        report[name] = _number(summary[f'Total {name}'])
    report['groups'] = {key: _number(value) for key, value in summary.items()}
    report['per_joint'] = {
        name: dict(zip(POSETRACK18_EVAL_KEYPOINTS, map(_number, values)))
        for name, values in results['per_joint'].items()}
    report['counts'] = {name: dict(zip(POSETRACK18_EVAL_KEYPOINTS, column.astype(int).tolist()))
                        for name, column in zip(MOT_COUNTS[:-1], results['counts'].T)}
    report['videos'], report['frames'] = results['videos'], results['frames']
    return report


def _row(cells: List[str]) -> str:
    """A table row as poseval prints it (LaTeX cells)."""
    return '&' + ' &'.join(cells) + '\\\\'


def posetrack18_tables(results: Dict[str, Any]) -> str:
    """poseval's printed tables (AP and MOT metrics by body-part group, totals), then one row
    per joint type with its AP, MOTA, MOTP, precision and recall."""
    summary = results['summary']
    groups = ['Head', 'Shou', 'Elb', 'Wri', 'Hip', 'Knee', 'Ankl']

    def cell(value: float) -> str:
        return f'{value:5.1f}'

    lines = ['Average Precision (AP) metric:',
             _row([f' {name:<4}' for name in groups] + [' Total']),
             _row([cell(summary[f'{name} AP']) for name in [*groups, 'Total']]),
             'Multiple Object Tracking (MOT) metrics:',
             _row([' MOTA'] * 8 + [' MOTP', ' Prec', ' Rec ']),
             _row([f' {name:<4}' for name in groups] + [' Total'] * 4),
             _row([cell(summary[f'{name} MOTA']) for name in [*groups, 'Total']]
                  + [cell(summary[f'Total {name}']) for name in ('MOTP', 'Precision',
                                                                  'Recall')]),
             '',
             f'{"joint":<15} {"AP":>6} {"MOTA":>6} {"MOTP":>6} {"Prec":>6} {"Rec":>6}']
    per_joint = results['per_joint']
    for index, name in enumerate(POSETRACK18_EVAL_KEYPOINTS):
        lines.append(f'{name:<15}' + ''.join(
            f' {per_joint[key][index]:6.1f}'
            for key in ('AP', 'MOTA', 'MOTP', 'Precision', 'Recall')))
    lines.append(f'{results["videos"]} videos, {results["frames"]} evaluated frames')
    return '\n'.join(lines)


def report_posetrack18(results: Dict[str, Any], json_path: Optional[PathLike] = None) -> str:
    """Write :func:`posetrack18_report` of ``results`` to ``json_path`` (atomically; not when
    None) and return :func:`posetrack18_tables`, what the tools print."""
    if json_path is not None:
        atomic_write_text(json_path, json.dumps(posetrack18_report(results), indent=1))
    return posetrack18_tables(results)
