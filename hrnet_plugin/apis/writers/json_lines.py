"""``predictions.jsonl``: one json line per frame, flushed as the run goes."""
import json
from pathlib import Path
from typing import Iterator, List, Optional

import numpy as np
from mmpose.structures import PoseDataSample

from hrnet_plugin.evaluation.functional.rescoring import instance_scores
from hrnet_plugin.utils import PERSON_CATEGORY_ID

from ..io import Frame, InputSource
from .base import ResultWriter


def coco_keypoint_records(sample: PoseDataSample, image_id: int,
                          category_id: int = PERSON_CATEGORY_ID,
                          extra: Optional[dict] = None) -> List[dict]:
    """One COCO keypoint-results record per person of ``sample`` (N persons, K keypoints).

    A record holds ``image_id``, ``category_id``, ``keypoints`` (K x [x, y, score], flat),
    ``score`` (the box score times the mean of the keypoint scores above 0.2, as mmpose's
    ``CocoMetric`` rescores: ``instance_scores``), ``bbox`` ([x, y, w, h]), the person's
    ``track_id`` when ``pred_instances`` has ``track_ids``, and the items of ``extra``.
    """
    instances = sample.pred_instances
    keypoints = np.asarray(instances.keypoints, np.float64)  # (N, K, 2)
    scores = np.asarray(instances.keypoint_scores, np.float64)  # (N, K)
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
    ``file_name``), its ``image_id``, and the COCO keypoint records of its ``persons``."""
    where = {'frame_index': frame.index} if is_video else {'file_name': frame.name}
    return {**where, 'image_id': int(frame.image_id),
            'persons': coco_keypoint_records(result, frame.image_id, extra=where)}


def read_frame_records(path: Path) -> Iterator[dict]:
    """The complete records of a stream written by ``JsonLinesWriter``, in order; a last line
    cut short by a crash is left out."""
    with open(path, encoding='utf-8') as file:
        for line in file:
            if not line.endswith('\n'):
                return  # an interrupted write
            yield json.loads(line)


class JsonLinesWriter(ResultWriter):
    """Writes ``predictions.jsonl``: one line per processed frame, frames without persons
    included (``frame_record``), flushed after every frame, so that an interrupted run keeps
    every frame it finished. Nothing is kept in memory.

    Args:
        file_name: the stream's name in ``out_dir``.
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 file_name: str = 'predictions.jsonl') -> None:
        super().__init__(out_dir, source, dataset_meta)
        self.path = self.out_dir / file_name
        self._file = open(self.path, 'w', encoding='utf-8')  # noqa: SIM115  (until close)

    def write(self, frame: Frame, result: PoseDataSample) -> None:
        record = frame_record(frame, result, self.source.kind == 'video')
        self._file.write(json.dumps(record) + '\n')
        self._file.flush()

    def close(self) -> List[Path]:
        self._file.close()
        return [self.path]

    def abort(self) -> None:
        self._file.close()
