"""Top-down inference over an image, a folder of images or a video, writing its outputs as it
goes (the engine of ``tools/infer.py``)."""
import contextlib
import dataclasses
import functools
import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Union

import numpy as np
from mmpose.structures import PoseDataSample
from tqdm import tqdm

from hrnet_plugin.utils import DirectoryLock, atomic_write_text, check_writable_dir, read_json

from .detection import TopDownPipeline
from .detection_file import DetectionFile
from .inference import estimate_poses
from .io import Frame, InputSource
from .overlap import prefetch
from .tracking import PoseTracker
from .writers import OUTPUT_FORMATS, DrawingWriter, ResultWriter
from .writers.json_lines import frame_key, sample_from_record

logger = logging.getLogger(__name__)

#: The run's metadata in its output folder: input, counts, what was skipped and why.
SUMMARY_NAME = 'summary.json'
#: The lock file that keeps a second run out of an output folder in use.
LOCK_NAME = '.infer.lock'


@dataclass
class InferenceSummary:
    """Counts of a run. ``images`` are the images/frames processed (``resumed`` of them taken
    over from the interrupted run that ``resume`` continued); ``skipped`` those that could not
    be read, with the reasons in ``skipped_frames``; ``dropped_bboxes`` the boxes with no area
    inside their image or with a non-finite value; ``unmatched_detections`` and
    ``duplicate_detections`` the entries of the detections file that match no input image or
    repeat another entry of their image."""

    images: int = 0
    persons: int = 0
    skipped: int = 0
    dropped_bboxes: int = 0
    seconds: float = 0.0
    resumed: int = 0
    unmatched_detections: int = 0
    duplicate_detections: int = 0
    skipped_frames: List[str] = field(default_factory=list)

    def __str__(self) -> str:
        rate = self.images / self.seconds if self.seconds > 0 else 0.0
        text = (f'images: {self.images}, persons: {self.persons}, skipped: {self.skipped}, '
                f'dropped boxes: {self.dropped_bboxes}, seconds: {self.seconds:.2f}, '
                f'images/s: {rate:.2f}')
        return text + (f', resumed: {self.resumed}' if self.resumed else '')

    def add(self, result: PoseDataSample) -> None:
        """Count one processed frame."""
        self.images += 1
        self.persons += len(result.pred_instances)
        self.dropped_bboxes += result.metainfo.get('num_dropped_bboxes', 0)


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


def _start(out_dir: Path, source: InputSource, resume: bool) -> None:
    """Check that ``resume`` continues a run of the same input; mark the run as started."""
    path = out_dir / SUMMARY_NAME
    earlier = read_json(path, 'run summary') if path.is_file() else None
    earlier = earlier if isinstance(earlier, dict) else {}
    if resume and earlier.get('input') not in (None, str(source.path.resolve())):
        raise ValueError(f'cannot resume in {out_dir}: it holds the outputs of input '
                         f'{earlier["input"]}, not {source.path.resolve()}')
    if not resume and earlier.get('complete') is False:
        logger.warning('%s holds an interrupted run, started over (--resume continues it)',
                       out_dir)
    atomic_write_text(path, json.dumps({'input': str(source.path.resolve()), 'complete': False}))


def _resumed_records(writers: Sequence[ResultWriter]) -> Dict[object, dict]:
    """The frame records that every prediction writer already holds, by ``frame_key``; the
    writers that hold more are cut back to the same frames (a crash between two writes)."""
    streams = [writer for writer in writers if hasattr(writer, 'done')]
    if not streams:
        return {}
    count = min(len(writer.done) for writer in streams)
    for writer in streams:
        if len(writer.done) > count:
            writer.keep(count)
    return {frame_key(record): record for record in streams[0].done}


def _estimate_all(pipeline: TopDownPipeline, source: InputSource, writers: List[ResultWriter],
                  detections: Optional[DetectionFile], tracker: Optional[PoseTracker],
                  done: Dict[object, dict], frames_per_batch: int, show_progress: bool,
                  summary: InferenceSummary) -> None:
    """Estimate the poses of every frame of ``source`` that ``done`` lacks, track them with
    ``tracker`` (if any) and hand them to ``writers`` (the prediction writers last); count
    everything in ``summary``. A frame in ``done`` is counted from its record; the tracker
    replays its recorded poses (without recovering missed persons) and, in a video, it is
    drawn again.

    Raises:
        ValueError: not one frame could be read.
    """
    is_video = source.kind == 'video'
    redraw = [writer for writer in writers if isinstance(writer, DrawingWriter)] if is_video \
        else []

    def emit(frame: Frame, result: PoseDataSample, to: List[ResultWriter],
             recover: bool = True) -> None:
        # Optical flow needs the image: a resumed frame that no longer decodes is not tracked.
        if tracker is not None and (frame.image is not None or not tracker.flow):
            estimate = functools.partial(_estimate, pipeline, frame.image) if recover else None
            tracker.update(frame.image, result, estimate)
        for writer in to:
            writer.write(frame, result)
        summary.add(result)

    decode_done = redraw or (tracker is not None and tracker.flow)
    # The next batch of frames is read and decoded while the current one runs.
    frames = prefetch(source.frames(skip=() if decode_done else done), frames_per_batch)
    with tqdm(total=len(source) or None, unit='image', disable=not show_progress) as progress:
        for batch in _batches(frames, frames_per_batch):
            todo = []
            for frame in batch:
                record = done.get(frame.index if is_video else frame.name)
                if record is not None:
                    emit(frame, sample_from_record(record), redraw if frame.image is not None
                         else [], recover=False)
                    summary.resumed += 1
                elif frame.image is None:
                    logger.warning('skipped: %s', frame.error)
                    summary.skipped += 1
                    summary.skipped_frames.append(frame.error)
                else:
                    todo.append(frame)
            boxes = None if detections is None else [detections.boxes(f) for f in todo]
            results = pipeline([f.image for f in todo], boxes) if todo else []
            for frame, result in zip(todo, results, strict=True):
                emit(frame, result, writers)
            progress.update(len(batch))
    if summary.skipped and not summary.images:
        raise ValueError(f'none of the {summary.skipped} images/frames of {source.path} can be '
                         f'read, e.g. {summary.skipped_frames[0]}')


def run_topdown(pipeline: TopDownPipeline, input_path: Union[str, Path],
                out_dir: Union[str, Path], detections: Optional[DetectionFile] = None,
                formats: Sequence[str] = ('coco', ), visualize: bool = True,
                kpt_thr: float = 0.3, frames_per_batch: int = 8,
                show_progress: bool = True, track: Optional[bool] = None,
                tracker: Optional[PoseTracker] = None, resume: bool = False
                ) -> InferenceSummary:
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
    ``out_dir/summary.json`` holds the input and, once the run has ended, the summary
    (``complete: true``). A lock file (``LOCK_NAME``) keeps a second run out of ``out_dir``
    while this one is alive.

    With ``resume``, the run continues the one that was interrupted in ``out_dir``: the frames
    in its prediction streams are not estimated again (their records are kept as they are), the
    others are; a video's track ids are replayed and its drawing is made again from the start.

    Raises:
        FileNotFoundError: missing input.
        BlockingIOError: another live process writes into ``out_dir``.
        OSError: an output cannot be written (full disk, file-size limit), naming it.
        ValueError: an unknown format; ``'posetrack'`` for an input that is not tracked; a
            video that cannot be opened or whose frames all fail to decode (likewise a
            folder's images); a detections file matching no input; drawings that would
            overwrite an input (``out_dir`` = the input folder); ``resume`` in a folder that
            holds the outputs of another input.
    """
    unknown = [name for name in formats if name not in OUTPUT_FORMATS]
    if unknown:
        raise ValueError(f'unknown output format(s) {unknown}; known: {sorted(OUTPUT_FORMATS)}')
    source = InputSource(input_path)
    tracked = track if track is not None else source.kind == 'video'
    if 'posetrack' in formats and not tracked:
        raise ValueError(f'the posetrack format needs track ids: {input_path} is not a video; '
                         'track a folder of frames as a sequence (track=True, infer.py --track)')
    summary = InferenceSummary()
    if detections is not None:
        summary.unmatched_detections = detections.check_coverage(source.names(),
                                                                 source.image_ids())
        summary.duplicate_detections = detections.num_duplicates
    out_dir = check_writable_dir(out_dir)
    meta = pipeline.pose_model.dataset_meta
    if tracked and tracker is None:
        tracker = PoseTracker(meta['sigmas'])
    tracker = tracker if tracked else None
    start = time.perf_counter()
    with DirectoryLock(out_dir, LOCK_NAME):
        _start(out_dir, source, resume)
        with contextlib.ExitStack() as stack:
            # Drawings first: a frame in the prediction streams is drawn already (a video's
            # drawing is made again from the start by a resumed run).
            writers = [stack.enter_context(DrawingWriter(out_dir, source, meta, kpt_thr,
                                                         resume))] if visualize else []
            writers += [stack.enter_context(OUTPUT_FORMATS[name](out_dir, source, meta,
                                                                 resume=resume))
                        for name in formats]
            done = _resumed_records(writers)
            _estimate_all(pipeline, source, writers, detections, tracker, done,
                          frames_per_batch, show_progress, summary)
        summary.seconds = time.perf_counter() - start
        atomic_write_text(out_dir / SUMMARY_NAME, json.dumps(
            {'input': str(source.path.resolve()), 'complete': True,
             **dataclasses.asdict(summary)}, indent=1))
    return summary
