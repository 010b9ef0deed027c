"""Precomputed person boxes from a COCO detection-results json file, matched to input frames.

Shapes: N boxes of one image.
"""
import logging
from pathlib import Path
from typing import Dict, Iterable, Union

import numpy as np

from hrnet_plugin.utils import PERSON_CATEGORY_ID, read_detection_results

from .io import Frame

logger = logging.getLogger(__name__)


def _to_xyxy(boxes: np.ndarray) -> np.ndarray:
    """(N, 5) x, y, w, h, score -> (N, 5) x1, y1, x2, y2, score."""
    boxes = boxes.copy()
    with np.errstate(over='ignore', invalid='ignore'):  # huge or non-finite boxes, dropped later
        boxes[:, 2:4] += boxes[:, 0:2]
    return boxes


def _unique_rows(boxes: np.ndarray) -> np.ndarray:
    """``boxes`` without the rows that repeat an earlier one, in their order."""
    _, first = np.unique(boxes, axis=0, return_index=True)
    return boxes[np.sort(first)]


class DetectionFile:
    """Boxes of a COCO detection-results file (``hrnet_plugin.utils.read_detection_results``),
    looked up per input image.

    An entry with a ``file_name`` matches the image of that file name (directories ignored);
    otherwise its ``image_id`` matches the image's COCO id, which is the number a COCO file name
    ends with (``000000000785.jpg`` -> 785) or, for a video, the frame index. Entries of another
    ``category_id`` are ignored; a missing ``score`` counts as 1.

    Args:
        path: the json file.
        category_id: the person category (1 in COCO).

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a list of detections, naming the file, the entry and the field.
    """

    def __init__(self, path: Union[str, Path], category_id: int = PERSON_CATEGORY_ID) -> None:
        self.path = Path(path)
        results = read_detection_results(self.path, category_id)
        self._by_name: Dict[str, np.ndarray] = {
            key: _to_xyxy(_unique_rows(boxes)) for key, boxes in results.by_file_name().items()}
        self._by_id: Dict[int, np.ndarray] = {
            key: _to_xyxy(_unique_rows(boxes)) for key, boxes in results.by_image_id().items()}
        kept = sum(len(v) for v in (*self._by_name.values(), *self._by_id.values()))
        self.num_duplicates = len(results) - kept
        if self.num_duplicates:
            logger.warning('%s: %d person detection(s) repeat another of their image and are '
                           'ignored', self.path, self.num_duplicates)

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
