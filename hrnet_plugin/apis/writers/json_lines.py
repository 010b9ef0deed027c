"""``predictions.jsonl``: one json line per frame, flushed as the run goes."""
import contextlib
import json
import os
from pathlib import Path
from typing import Iterator, List, Optional

import numpy as np
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

from hrnet_plugin.evaluation.functional.rescoring import instance_scores
from hrnet_plugin.utils import PERSON_CATEGORY_ID, naming_write_errors

from ..io import Frame, InputSource
from .base import ResultWriter


def coco_keypoint_records(sample: PoseDataSample, image_id: int,
                          category_id: int = PERSON_CATEGORY_ID,
                          extra: Optional[dict] = None) -> List[dict]:
    """One COCO keypoint-results record per person of ``sample`` (N persons, K keypoints).

    A record holds ``image_id``, ``category_id``, ``keypoints`` (K x [x, y, score], flat),
    ``score`` (the box score times the mean of the keypoint scores above 0.2, as mmpose's
    ``CocoMetric`` rescores: ``instance_scores``), ``bbox`` ([x, y, w, h]), the person's
    ``track_id`` when ``pred_instances`` has ``track_ids``, and the items of ``extra``. A
    keypoint the model could not place (non-finite coordinates or score, e.g. UDP's decoding
    of an all-zero heatmap, as mmpose's) is stored as (0, 0) with score 0: json has no NaN.
    """
    instances = sample.pred_instances
    keypoints = np.array(instances.keypoints, np.float64)  # (N, K, 2), a copy
    scores = np.array(instances.keypoint_scores, np.float64)  # (N, K), a copy
    unplaced = ~(np.isfinite(keypoints).all(axis=-1) & np.isfinite(scores))
    keypoints[unplaced], scores[unplaced] = 0, 0
    person_scores = instance_scores(np.asarray(instances.bbox_scores, np.float64), scores)
    flat = np.concatenate([keypoints, scores[..., None]], axis=-1).reshape(
        len(scores), scores.shape[1] * 3)
    boxes = np.asarray(instances.bboxes, np.float64).reshape(-1, 4).copy()
    boxes[:, 2:] -= boxes[:, :2]
    records = []
    for index in range(len(scores)):
        record = {'image_id': int(image_id), 'category_id': category_id,
                  'keypoints': flat[index].round(3).tolist(),
                  'score': float(person_scores[index]), 'bbox': boxes[index].round(3).tolist()}
        if 'track_ids' in instances:
            record['track_id'] = int(instances.track_ids[index])
        record.update(extra or {})
        records.append(record)
    return records


def frame_record(frame: Frame, result: PoseDataSample, is_video: bool) -> dict:
    """The json line of one frame: where it is in the input (``frame_index`` of a video, else
    ``file_name``), its ``image_id``, the COCO keypoint records of its ``persons`` and the
    number of its ``dropped_bboxes`` (``metainfo['num_dropped_bboxes']``, 0 if absent)."""
    where = {'frame_index': frame.index} if is_video else {'file_name': frame.name}
    return {**where, 'image_id': int(frame.image_id),
            'persons': coco_keypoint_records(result, frame.image_id, extra=where),
            'dropped_bboxes': int(result.metainfo.get('num_dropped_bboxes', 0))}


def frame_key(record: dict):
    """What identifies a frame record's frame in its input: the frame index, else the file."""
    return record['frame_index'] if 'frame_index' in record else record['file_name']


def sample_from_record(record: dict) -> PoseDataSample:
    """The predictions of a frame record as a ``PoseDataSample`` (N persons, K keypoints):
    ``keypoints`` (N, K, 2), ``keypoint_scores`` (N, K), ``bboxes`` (N, 4) xyxy,
    ``bbox_scores`` (N,) (the persons' rescored ``score``) and ``track_ids`` when recorded."""
    persons = record['persons']
    values = np.asarray([p['keypoints'] for p in persons], np.float32).reshape(
        len(persons), -1, 3)
    boxes = np.asarray([p['bbox'] for p in persons], np.float32).reshape(-1, 4)
    boxes[:, 2:] += boxes[:, :2]
    instances = InstanceData(
        keypoints=values[..., :2], keypoint_scores=values[..., 2], bboxes=boxes,
        bbox_scores=np.asarray([p['score'] for p in persons], np.float32))
    if persons and all('track_id' in p for p in persons):
        instances.track_ids = np.asarray([p['track_id'] for p in persons], np.int64)
    sample = PoseDataSample(metainfo={'num_dropped_bboxes': record.get('dropped_bboxes', 0)})
    sample.pred_instances = instances
    return sample


def read_frame_records(path: Path) -> Iterator[dict]:
    """The complete records of a stream written by ``JsonLinesWriter``, in order; a last line
    cut short by a crash is left out."""
    with open(path, encoding='utf-8') as file:
        for line in file:
            if not line.endswith('\n'):
                return  # an interrupted write
            yield json.loads(line)


def truncate_stream(path: Path, count: Optional[int] = None) -> List[dict]:
    """Keep the first ``count`` complete records of a stream (all when None) and cut the file
    after them: what a crash left after the last complete line (a line cut short, or one that
    does not parse) is removed. Returns the kept records."""
    records, end = [], 0
    with open(path, 'rb') as file:
        for line in file:
            if not line.endswith(b'\n') or len(records) == count:
                break
            try:
                records.append(json.loads(line))
            except ValueError:
                break
            end += len(line)
    os.truncate(path, end)
    return records


class JsonLinesWriter(ResultWriter):
    """Writes ``predictions.jsonl``: one line per processed frame, frames without persons
    included (``frame_record``), flushed after every frame, so that an interrupted run keeps
    every frame it finished. Nothing is kept in memory but the records a resumed run starts
    from.

    Args:
        file_name: the stream's name in ``out_dir``.
        resume: continue the stream an interrupted run left (``truncate_stream``: its complete
            records stay, in ``done``) instead of starting a new one.
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 file_name: str = 'predictions.jsonl', resume: bool = False) -> None:
        super().__init__(out_dir, source, dataset_meta, resume)
        self.path = self.out_dir / file_name
        self.done = truncate_stream(self.path) if resume and self.path.is_file() else []
        self._file = open(self.path, 'a' if resume else 'w', encoding='utf-8')  # noqa: SIM115

    def write(self, frame: Frame, result: PoseDataSample) -> None:
        record = frame_record(frame, result, self.source.kind == 'video')
        with naming_write_errors(self.path):
            self._file.write(json.dumps(record, allow_nan=False) + '\n')
            self._file.flush()

    def keep(self, count: int) -> None:
        """Resume after the first ``count`` records of ``done`` (another output of the run
        holds fewer frames)."""
        self._file.close()
        self.done = truncate_stream(self.path, count)
        self._file = open(self.path, 'a', encoding='utf-8')  # noqa: SIM115  (until close)

    def close(self) -> List[Path]:
        with naming_write_errors(self.path):
            self._file.close()
        return [self.path]

    def abort(self) -> None:
        # After a failed write the buffer may fail again: the complete lines are on disk.
        with contextlib.suppress(OSError):
            self._file.close()
