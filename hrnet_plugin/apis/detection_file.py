"""Precomputed person boxes from a COCO detection-results json file.

Shapes: N boxes of one image.
"""
import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, Union

import numpy as np

from .io import Frame

logger = logging.getLogger(__name__)

COCO_PERSON_CATEGORY = 1


class DetectionFile:
    """Boxes of a COCO detection-results file, looked up per input image.

    The file is a json list of ``{"image_id": int | "file_name": str, "bbox": [x, y, w, h],
    "score": float, "category_id": int}`` (the format of COCO's detection results and of
    ``test_coco_det_AP_H_56.json``). An entry with a ``file_name`` matches the image of that
    file name (directories ignored); otherwise its ``image_id`` matches the image's COCO id,
    which is the number a COCO file name ends with (``000000000785.jpg`` -> 785) or, for a
    video, the frame index. Entries of another ``category_id`` are ignored; a missing
    ``score`` counts as 1.

    Args:
        path: the json file.
        category_id: the person category (1 in COCO).

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a list of detections as described.
    """

    def __init__(self, path: Union[str, Path],
                 category_id: int = COCO_PERSON_CATEGORY) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f'boxes file not found: {self.path}')
        entries = json.loads(self.path.read_text())
        if not isinstance(entries, list):
            raise ValueError(f'{self.path}: expected a json list of COCO detection results, '
                             f'got a {type(entries).__name__}')
        by_name: Dict[str, list] = defaultdict(list)
        by_id: Dict[int, list] = defaultdict(list)
        for index, entry in enumerate(entries):
            try:
                if entry.get('category_id', category_id) != category_id:
                    continue
                row = [*map(float, entry['bbox']), float(entry.get('score', 1.0))]
                if len(row) != 5:
                    raise ValueError('bbox must be [x, y, w, h]')
                if 'file_name' in entry:
                    by_name[Path(entry['file_name']).name].append(row)
                else:
                    by_id[int(entry['image_id'])].append(row)
            except (AttributeError, KeyError, TypeError, ValueError) as error:
                raise ValueError(f'{self.path}: entry {index} is not a detection with '
                                 f'image_id/file_name, bbox [x, y, w, h] and score: {entry!r} '
                                 f'({error})') from error
        self._by_name = {key: self._to_xyxy(rows) for key, rows in by_name.items()}
        self._by_id = {key: self._to_xyxy(rows) for key, rows in by_id.items()}

    @staticmethod
    def _to_xyxy(rows: list) -> np.ndarray:
        boxes = np.asarray(rows, np.float32)  # (N, 5) x, y, w, h, score
        boxes[:, 2:4] += boxes[:, 0:2]
        return boxes

    def check_coverage(self, names: Iterable[str], image_ids: Iterable[int]) -> int:
        """Count the entries that match none of the input images, and warn about them.

        Args:
            names: file names of the inputs.
            image_ids: COCO image ids of the inputs.

        Returns:
            The number of unmatched detections.

        Raises:
            ValueError: no detection matches any input (wrong file or wrong folder).
        """
        names, image_ids = set(names), set(image_ids)
        unmatched = sum(len(v) for k, v in self._by_name.items() if k not in names)
        unmatched += sum(len(v) for k, v in self._by_id.items() if k not in image_ids)
        total = sum(len(v) for v in (*self._by_name.values(), *self._by_id.values()))
        if total and unmatched == total:
            raise ValueError(f'{self.path}: none of its {total} person detections refers to an '
                             'input image (matched by file_name, else by image_id = the number '
                             'in the file name or the frame index)')
        if not total:
            logger.warning('%s holds no person detections', self.path)
        if unmatched:
            logger.warning('%s: %d of %d person detections refer to no input image and are '
                           'ignored', self.path, unmatched, total)
        return unmatched

    def boxes(self, frame: Frame) -> np.ndarray:
        """The (N, 5) xyxy boxes and scores of ``frame`` (N = 0 when it has none)."""
        found = [self._by_name.get(frame.name), self._by_id.get(frame.image_id)]
        found = [boxes for boxes in found if boxes is not None]
        return np.concatenate(found) if found else np.zeros((0, 5), np.float32)
