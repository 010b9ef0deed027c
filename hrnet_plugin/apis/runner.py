"""Top-down inference over an image, a folder of images or a video, writing its outputs as it
goes (the engine of ``tools/infer.py``)."""
import contextlib
import functools
import itertools
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Sequence, Union

import numpy as np
from mmpose.structures import PoseDataSample
from tqdm import tqdm

from hrnet_plugin.utils import check_writable_dir

from .detection import TopDownPipeline
from .detection_file import DetectionFile
from .inference import estimate_poses
from .io import Frame, InputSource
from .tracking import PoseTracker
from .writers import OUTPUT_FORMATS, DrawingWriter

logger = logging.getLogger(__name__)


@dataclass
class InferenceSummary:
    """Counts of a run. ``images`` are the images/frames processed; ``skipped`` those that
    could not be read; ``dropped_bboxes`` the boxes with no area inside their image."""

    images: int = 0
    persons: int = 0
    skipped: int = 0
    dropped_bboxes: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        rate = self.images / self.seconds if self.seconds > 0 else 0.0
        return (f'images: {self.images}, persons: {self.persons}, skipped: {self.skipped}, '
                f'dropped boxes: {self.dropped_bboxes}, seconds: {self.seconds:.2f}, '
                f'images/s: {rate:.2f}')


def _batches(frames: Iterable[Frame], size: int) -> Iterator[List[Frame]]:
    iterator = iter(frames)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _estimate(pipeline: TopDownPipeline, image: np.ndarray,
              boxes: np.ndarray) -> PoseDataSample:
    """The pipeline's pose model on the (M, 5) ``boxes`` of ``image`` (the tracker's
    recovery of missed persons)."""
    return estimate_poses(pipeline.pose_model, [image], [boxes],
                          batch_size=pipeline.batch_size)[0]


def run_topdown(pipeline: TopDownPipeline, input_path: Union[str, Path],
                out_dir: Union[str, Path], detections: Optional[DetectionFile] = None,
                formats: Sequence[str] = ('coco', ), visualize: bool = True,
                kpt_thr: float = 0.3, frames_per_batch: int = 8,
                show_progress: bool = True, track: Optional[bool] = None,
                tracker: Optional[PoseTracker] = None) -> InferenceSummary:
    """Estimate poses in every image of ``input_path`` and write the results to ``out_dir``.

    Boxes come from ``detections`` when given, else from the pipeline's detector, else the
    whole image is one person. Frames are processed ``frames_per_batch`` at a time (one
    detector/pose batching unit). The persons of a sequence get ``track_ids`` from a
    ``PoseTracker`` (``tracker``, or one with default settings); a video is a sequence, and so
    is a folder of frames (in file-name order) with ``track=True``. A tracker with ``flow``
    looks for missed persons with the pose model, frame after frame. Each frame's result goes,
    as it is produced, to the writer of each of ``formats`` (``writers.OUTPUT_FORMATS``:
    ``'coco'`` = ``predictions.json``, ``'jsonl'`` = ``predictions.jsonl``, ``'posetrack'`` =
    ``<sequence>.json`` in PoseTrack18 format, for sequences) and, unless ``visualize`` is
    False, to a ``DrawingWriter`` (each image drawn under its own file name, or
    ``<video stem>.mp4``).

    An unreadable image or a frame that does not decode is skipped with a warning and counted.

    Raises:
        FileNotFoundError: missing input.
        ValueError: an unknown format; ``'posetrack'`` for an input that is not tracked; a
            video that cannot be opened; a detections file matching no input; drawings that
            would overwrite an input (``out_dir`` = the input folder).
    """
    unknown = [name for name in formats if name not in OUTPUT_FORMATS]
    if unknown:
        raise ValueError(f'unknown output format(s) {unknown}; known: {sorted(OUTPUT_FORMATS)}')
    source = InputSource(input_path)
    tracked = track if track is not None else source.kind == 'video'
    if 'posetrack' in formats and not tracked:
        raise ValueError(f'the posetrack format needs track ids: {input_path} is not a video; '
                         'track a folder of frames as a sequence (track=True, infer.py --track)')
    out_dir = check_writable_dir(out_dir)
    if detections is not None:
        detections.check_coverage(source.names(), source.image_ids())
    meta = pipeline.pose_model.dataset_meta
    if tracked and tracker is None:
        tracker = PoseTracker(meta['sigmas'])
    tracker = tracker if tracked else None
    summary = InferenceSummary()
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        writers = [stack.enter_context(OUTPUT_FORMATS[name](out_dir, source, meta))
                   for name in formats]
        if visualize:
            writers.append(stack.enter_context(DrawingWriter(out_dir, source, meta, kpt_thr)))
        progress = stack.enter_context(
            tqdm(total=len(source) or None, unit='image', disable=not show_progress))
        for batch in _batches(source.frames(), frames_per_batch):
            for frame in batch:
                if frame.image is None:
                    logger.warning('skipped: %s', frame.error)
                    summary.skipped += 1
            frames = [frame for frame in batch if frame.image is not None]
            boxes = None if detections is None else [detections.boxes(f) for f in frames]
            results = pipeline([f.image for f in frames], boxes) if frames else []
            for frame, result in zip(frames, results):
                if tracker is not None:
                    tracker.update(frame.image, result, functools.partial(
                        _estimate, pipeline, frame.image))
                for writer in writers:
                    writer.write(frame, result)
                summary.images += 1
                summary.persons += len(result.pred_instances)
                summary.dropped_bboxes += result.metainfo['num_dropped_bboxes']
            progress.update(len(batch))
    summary.seconds = time.perf_counter() - start
    return summary
