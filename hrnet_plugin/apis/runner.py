"""Top-down inference over an image, a folder of images or a video, writing its outputs as it
goes (the engine of ``tools/infer.py``)."""
import itertools
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Union

import cv2
import numpy as np
from mmengine.utils import ProgressBar
from mmpose.structures import PoseDataSample

from .detection import TopDownPipeline
from .detection_file import DetectionFile
from .io import Frame, InputSource
from .results import PredictionWriter, coco_keypoint_records
from .tracking import IoUTracker
from .visualization import draw_pose

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


def _write_image(path: Path, image: np.ndarray) -> None:
    """Encode then rename into place, so a crash never leaves a truncated image file."""
    ok, encoded = cv2.imencode(path.suffix, image)
    if not ok:
        raise OSError(f'cannot encode an image as {path.suffix} for {path}')
    tmp = path.with_name(f'.{path.name}.tmp')
    tmp.write_bytes(encoded.tobytes())
    os.replace(tmp, path)


def _video_output(out_dir: Path, source: InputSource) -> Path:
    return out_dir / f'{source.path.stem}.mp4'


class _RunOutputs:
    """What a run writes as it goes: prediction records, and the drawn images or the annotated
    video. As a context manager it releases the video (finalising the mp4, so the frames drawn
    before a failure stay playable) and finalises ``predictions.json`` on success only."""

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict, kpt_thr: float,
                 visualize: bool) -> None:
        self.out_dir = out_dir
        self.source = source
        self.dataset_meta = dataset_meta
        self.kpt_thr = kpt_thr
        self.visualize = visualize
        self.predictions = PredictionWriter(out_dir)
        self.video: Optional[cv2.VideoWriter] = None

    def __enter__(self) -> '_RunOutputs':
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self.video is not None:
            self.video.release()
        self.predictions.__exit__(exc_type, exc, traceback)

    def write(self, frame: Frame, result: PoseDataSample) -> None:
        is_video = self.source.kind == 'video'
        extra = {'frame_index': frame.index} if is_video else {'file_name': frame.name}
        self.predictions.add(coco_keypoint_records(result, frame.image_id, extra=extra))
        if not self.visualize:
            return
        canvas = draw_pose(frame.image, result, self.dataset_meta, self.kpt_thr)
        if not is_video:
            _write_image(self.out_dir / frame.name, canvas)
            return
        if self.video is None:
            path = _video_output(self.out_dir, self.source)
            height, width = canvas.shape[:2]
            self.video = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'),
                                         self.source.fps, (width, height))
            if not self.video.isOpened():
                raise OSError(f'cannot write video {path} (OpenCV has no mp4v encoder?)')
        self.video.write(canvas)


def run_topdown(pipeline: TopDownPipeline, input_path: Union[str, Path],
                out_dir: Union[str, Path], detections: Optional[DetectionFile] = None,
                kpt_thr: float = 0.3, visualize: bool = True, frames_per_batch: int = 8,
                show_progress: bool = True) -> InferenceSummary:
    """Estimate poses in every image of ``input_path`` and write the results to ``out_dir``.

    Boxes come from ``detections`` when given, else from the pipeline's detector, else the
    whole image is one person. Frames are processed ``frames_per_batch`` at a time (one
    detector/pose batching unit). Outputs, written as the frames are processed:

    - ``predictions.partial.jsonl``: the records so far; replaced at the end by
      ``predictions.json``, COCO keypoint results (see ``coco_keypoint_records``), with
      ``file_name`` for images, ``frame_index`` and ``track_id`` (``IoUTracker``) for a video;
    - unless ``visualize`` is False, each image drawn under its own file name, or for a video
      ``<video stem>.mp4``.

    An unreadable image or a frame that does not decode is skipped with a warning and
    counted; an image without boxes gets a visualization and no record.

    Raises:
        FileNotFoundError: missing input.
        ValueError: a video that cannot be opened; a detections file matching no input;
            a visualization would overwrite an input (``out_dir`` = the input folder).
    """
    source = InputSource(input_path)
    out_dir = Path(out_dir)
    is_video = source.kind == 'video'
    if visualize:
        pairs = ([(source.path, _video_output(out_dir, source))] if is_video else
                 [(path, out_dir / path.name) for path in source.files])
        if any(src.resolve() == dst.resolve() for src, dst in pairs):
            raise ValueError(f'out_dir {out_dir} holds the input: the visualizations would '
                             'overwrite it')
    if detections is not None:
        detections.check_coverage(source.names(), source.image_ids())
    tracker = IoUTracker() if is_video else None
    summary = InferenceSummary()
    progress = ProgressBar(len(source), file=sys.stdout) if show_progress else None
    start = time.perf_counter()
    with _RunOutputs(out_dir, source, pipeline.pose_model.dataset_meta, kpt_thr,
                     visualize) as outputs:
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
                    result.pred_instances.track_ids = tracker.update(
                        result.pred_instances.bboxes)
                outputs.write(frame, result)
                summary.images += 1
                summary.persons += len(result.pred_instances)
                summary.dropped_bboxes += result.metainfo['num_dropped_bboxes']
            if progress is not None:
                progress.update(len(batch))
    if progress is not None:
        sys.stdout.write('\n')
    summary.seconds = time.perf_counter() - start
    return summary
