"""COCO detection-results files: the person boxes of a detector, one json entry per box.

The format of COCO's detection results, of mmpose's ``bbox_file`` (e.g.
``COCO_val2017_detections_AP_H_56_person.json``) and of ``tools/infer.py --bboxes``: a json list
of ``{"image_id": int, "category_id": int, "bbox": [x, y, w, h], "score": float}``; an entry
may name its image by ``"file_name"`` instead of ``"image_id"``.

Shape legend: M entries of the person category in the file, N of them for one image.
"""
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from .files import PathLike, read_json

#: The person category of COCO-style files (annotations, detection results, keypoint results).
PERSON_CATEGORY_ID = 1


@dataclass(frozen=True)
class DetectionResults:
    """The entries of one category in a detection-results file.

    Attributes:
        path: the file.
        image_ids: (M,) int64 image id of each entry, -1 for entries named by ``file_name``.
        file_names: M base names (directories stripped), None for entries named by id.
        boxes: (M, 5) float32 x, y, w, h, score (score 1 where the entry has none).
        num_other_categories: entries of other categories, left out.
    """

    path: Path
    image_ids: np.ndarray
    file_names: List[Optional[str]]
    boxes: np.ndarray
    num_other_categories: int

    def __len__(self) -> int:
        return len(self.boxes)

    def by_image_id(self) -> Dict[int, np.ndarray]:
        """Boxes (N, 5) x, y, w, h, score of each image id (entries named by id only)."""
        return self._group(self.image_ids.tolist(), skip=-1)

    def by_file_name(self) -> Dict[str, np.ndarray]:
        """Boxes (N, 5) x, y, w, h, score of each file name (entries named by file only)."""
        return self._group(self.file_names, skip=None)

    def _group(self, keys: Sequence[Any], skip: Any) -> Dict[Any, np.ndarray]:
        rows: Dict[Any, List[int]] = defaultdict(list)
        for index, key in enumerate(keys):
            if key != skip:
                rows[key].append(index)
        return {key: self.boxes[index] for key, index in rows.items()}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _field_error(where: str, field: str, value: Any, expected: str) -> ValueError:
    return ValueError(f'{where}: "{field}" must be {expected}, got {value!r:.80}')


def read_detection_results(path: PathLike, category_id: int = PERSON_CATEGORY_ID,
                           require: Sequence[str] = ()) -> DetectionResults:
    """Read the entries of ``category_id`` from a detection-results file.

    Box values are taken as they are (NaN, negative sizes...): callers that use the boxes drop
    the degenerate ones and count them. Scores must be in [0, 1].

    Args:
        path: the json file.
        category_id: the category kept (entries without ``category_id`` belong to it).
        require: fields every entry must have besides ``bbox`` and an image reference (e.g.
            ``('image_id', 'category_id', 'score')``, what mmpose's datasets read).

    Raises:
        FileNotFoundError: no such file.
        ValueError: not json, not a list, or an entry that is not a detection, naming the file,
            the entry's index, the field and its value.
    """
    entries = read_json(path, 'detection-results file')
    if not isinstance(entries, list):
        raise ValueError(f'detection-results file {path}: expected a json list of detections '
                         f'({{"image_id", "category_id", "bbox", "score"}}), got a '
                         f'{type(entries).__name__}')
    image_ids, names, rows, others = [], [], [], 0
    for index, entry in enumerate(entries):
        where = f'detection-results file {path}: entry [{index}]'
        if not isinstance(entry, dict):
            raise ValueError(f'{where} is not a json object: {entry!r:.80}')
        missing = [f for f in ('bbox', *require) if f not in entry]
        if 'image_id' not in entry and 'file_name' not in entry:
            missing.append('image_id')
        if missing:
            raise ValueError(f'{where} lacks field(s) {missing}: {entry!r:.120}')
        if entry.get('category_id', category_id) != category_id:
            others += 1
            continue
        box, score = entry['bbox'], entry.get('score', 1.0)
        if not (isinstance(box, list) and len(box) == 4 and all(map(_is_number, box))):
            raise _field_error(where, 'bbox', box, '[x, y, w, h], 4 numbers')
        if not (_is_number(score) and 0 <= score <= 1):
            raise _field_error(where, 'score', score, 'a number in [0, 1]')
        if 'file_name' in entry:
            if not isinstance(entry['file_name'], str):
                raise _field_error(where, 'file_name', entry['file_name'], 'a string')
            names.append(Path(entry['file_name']).name)
            image_ids.append(-1)
        else:
            if not (isinstance(entry['image_id'], int) and _is_number(entry['image_id'])
                    and -2**63 < entry['image_id'] < 2**63):
                raise _field_error(where, 'image_id', entry['image_id'], 'an integer')
            names.append(None)
            image_ids.append(entry['image_id'])
        rows.append([*box, score])
    with np.errstate(over='ignore'):  # beyond float32's range: inf, dropped by the callers
        boxes = np.asarray(rows, np.float32).reshape(-1, 5)
    return DetectionResults(path=Path(path), image_ids=np.asarray(image_ids, np.int64),
                            file_names=names, boxes=boxes, num_other_categories=others)
