"""Pose estimation and tracking over the videos of a PoseTrack18-layout dataset, scored with
mAP and MOTA together, as the paper reports PoseTrack (the engine of
``tools/track_posetrack.py``).

Layout under ``data_root`` (PoseTrack18's)::

    annotations/val/<video>.json      per-video ground truth; its ``images`` name the frames
    images/val/<video>/000000.jpg ... the frames
    annotations/posetrack18_val_human_detections.json   (optional) person boxes by image id
"""
import json
import logging
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

from tqdm import tqdm

from hrnet_plugin.evaluation import evaluate_posetrack18_results
from hrnet_plugin.utils import (
    PERSON_CATEGORY_ID,
    atomic_write_text,
    check_writable_dir,
    read_detection_results,
    read_json,
)

from .detection import TopDownPipeline
from .detection_file import DetectionFile
from .runner import run_topdown
from .tracking import PoseTracker

logger = logging.getLogger(__name__)


def _video_detections(images: List[dict], by_id: Dict[int, Any], path: Path) -> Path:
    """Write the boxes of one video's frames as a detections file keyed by frame file name."""
    entries = []
    for image in images:
        for x, y, w, h, score in by_id.get(image['id'], ()):
            entries.append({'file_name': Path(image['file_name']).name,
                            'category_id': PERSON_CATEGORY_ID,
                            'bbox': [float(x), float(y), float(w), float(h)],
                            'score': float(score)})
    return atomic_write_text(path, json.dumps(entries))


def track_posetrack18(pipeline: TopDownPipeline, data_root: Union[str, Path],
                      out_dir: Union[str, Path], make_tracker: Callable[[], PoseTracker],
                      detections: Optional[Union[str, Path]] = None,
                      ann_dir: str = 'annotations/val',
                      show_progress: bool = True) -> Dict[str, Any]:
    """Estimate and track the poses of every video of ``data_root``, then score them.

    Each video's frames (the folder its ground truth names) go through ``run_topdown`` as one
    tracked sequence, with the boxes of ``detections`` (a COCO detection-results file keyed by
    the ground truth's image ids, like PoseTrack18's human detections) or, without it, the
    pipeline's detector. The results, ``out_dir/results/<video>.json`` in PoseTrack18 format,
    are then scored against ``ann_dir`` with ``evaluate_posetrack18_results`` (poseval's mAP and
    MOT metrics).

    Args:
        pipeline: the pose model (and detector).
        data_root: the dataset folder.
        out_dir: where ``results/`` (and the per-video ``detections/``) go.
        make_tracker: a new tracker for each video.
        detections: the detections file; None: the pipeline's detector.
        ann_dir: the per-video ground truth, relative to ``data_root``.
        show_progress: a progress bar over the videos.

    Returns:
        What ``evaluate_posetrack18_results`` returns, plus ``'results_dir'``.

    Raises:
        FileNotFoundError: a missing folder, file or frame folder (named).
        ValueError: no detections and no detector; bad ground truth or detections (named).
    """
    data_root = Path(data_root)
    gt_dir = data_root / ann_dir
    videos = sorted(gt_dir.glob('*.json'))
    if not videos:
        raise FileNotFoundError(f'{gt_dir}: no per-video PoseTrack18 ground truth (*.json)')
    if detections is None and pipeline.detector is None:
        raise ValueError('give a detections file or a detector')
    by_id = None if detections is None else read_detection_results(
        detections, PERSON_CATEGORY_ID).by_image_id()
    results_dir = check_writable_dir(Path(out_dir) / 'results')
    boxes_dir = check_writable_dir(Path(out_dir) / 'detections') if by_id is not None else None
    for path in tqdm(videos, unit='video', disable=not show_progress):
        images = read_json(path, 'PoseTrack18 annotation file').get('images') or []
        if not images or 'file_name' not in images[0]:
            raise ValueError(f'{path}: field "images" is empty or lacks "file_name"')
        frames = data_root / Path(images[0]['file_name']).parent
        if frames.name != path.stem:
            raise ValueError(f'{path}: its frames are in {frames}, a folder named unlike the '
                             'video (results are named after the folder)')
        boxes = None if by_id is None else DetectionFile(
            _video_detections(images, by_id, boxes_dir / path.name))
        summary = run_topdown(pipeline, frames, results_dir, boxes, formats=('posetrack', ),
                              visualize=False, track=True, tracker=make_tracker(),
                              show_progress=False)
        logger.info('%s: %s', path.stem, summary)
    return {**evaluate_posetrack18_results(gt_dir, results_dir), 'results_dir': results_dir}
