"""Pose results as COCO keypoint-results records, written so that an interrupted run keeps
what it had produced.

Shapes: N persons, K keypoints.
"""
import json
import os
from pathlib import Path
from typing import List, Optional, Union

import numpy as np
from mmpose.structures import PoseDataSample

# mmpose's CocoMetric ('bbox_keypoint' score mode): keypoints above this score rescore a person.
KEYPOINT_SCORE_THR = 0.2


def coco_keypoint_records(sample: PoseDataSample, image_id: int, category_id: int = 1,
                          extra: Optional[dict] = None) -> List[dict]:
    """One COCO keypoint-results record per person of ``sample``.

    A record holds ``image_id``, ``category_id``, ``keypoints`` (K x [x, y, score], flat),
    ``score`` (the box score times the mean score of the keypoints scoring above 0.2, as
    mmpose's ``CocoMetric`` rescores; 0 when none does), ``bbox`` ([x, y, w, h]), the
    person's ``track_id`` when ``pred_instances`` has ``track_ids``, and the items of
    ``extra``.
    """
    instances = sample.pred_instances
    keypoints = np.asarray(instances.keypoints, np.float64)  # (N, K, 2)
    scores = np.asarray(instances.keypoint_scores, np.float64)  # (N, K)
    confident = scores > KEYPOINT_SCORE_THR
    mean_score = (scores * confident).sum(1) / np.maximum(confident.sum(1), 1)
    person_scores = np.asarray(instances.bbox_scores, np.float64) * mean_score
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


class PredictionWriter:
    """Collect records into ``predictions.json``, streaming them to a jsonl file meanwhile.

    Every ``add`` appends its records to ``predictions.partial.jsonl`` (one json object per
    line, flushed), so a run that fails half-way keeps all the records it produced.
    ``close`` writes ``predictions.json`` (a json list) atomically (temporary file, then
    rename) and deletes the jsonl, whose presence therefore marks an interrupted run. As a
    context manager, it closes on success only.
    """

    def __init__(self, out_dir: Union[str, Path]) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.json_path = self.out_dir / 'predictions.json'
        self.partial_path = self.out_dir / 'predictions.partial.jsonl'
        self.records: List[dict] = []
        self._partial = open(self.partial_path, 'w')  # noqa: SIM115  (open until close())

    def add(self, records: List[dict]) -> None:
        self._partial.writelines(json.dumps(record) + '\n' for record in records)
        self._partial.flush()
        self.records += records

    def __enter__(self) -> 'PredictionWriter':
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        """Finalise after success; after an error only close the partial file, which keeps
        the records written so far."""
        if exc_type is None:
            self.close()
        else:
            self._partial.close()

    def close(self) -> Path:
        """Write ``predictions.json`` and remove the partial file; returns the json path."""
        self._partial.close()
        tmp = self.json_path.with_name(self.json_path.name + '.tmp')
        tmp.write_text(json.dumps(self.records))
        os.replace(tmp, self.json_path)
        self.partial_path.unlink()
        return self.json_path
