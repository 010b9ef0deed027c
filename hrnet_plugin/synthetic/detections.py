"""Simulated person-detector output, for evaluation with detected instead of annotated boxes."""
from typing import List, Sequence, Tuple

import numpy as np

from hrnet_plugin.utils import PERSON_CATEGORY_ID

from .scene import Instance


def sample_detections(rng: np.random.Generator, instances: Sequence[Instance], image_id: int,
                      image_size: Tuple[int, int], false_positive_rate: float) -> List[dict]:
    """Simulated person-detector output for one image, in COCO detection-results format.

    Each annotated figure is found with its box jittered by a few percent and a score in
    [0.5, 1); with probability ``false_positive_rate`` a random low-score box (score < 0.3) is
    added.

    Returns:
        Dicts with image_id, category_id, bbox (x, y, w, h) and score.
    """
    width, height = image_size
    boxes, scores = [], []
    for instance in instances:
        x, y, w, h = instance.bbox
        cx, cy = x + w / 2 + rng.normal(0, 0.03) * w, y + h / 2 + rng.normal(0, 0.03) * h
        w, h = w * np.exp(rng.normal(0, 0.05)), h * np.exp(rng.normal(0, 0.05))
        boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        scores.append(rng.uniform(0.5, 1.0))
    if rng.random() < false_positive_rate:
        w, h = rng.uniform(0.1, 0.4) * width, rng.uniform(0.15, 0.5) * height
        x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
        boxes.append((x, y, x + w, y + h))
        scores.append(rng.uniform(0.05, 0.3))
    detections = []
    for (x0, y0, x1, y1), score in zip(boxes, scores):
        x0, x1 = np.clip([x0, x1], 0, width)
        y0, y1 = np.clip([y0, y1], 0, height)
        detections.append({
            'image_id': image_id, 'category_id': PERSON_CATEGORY_ID,
            'bbox': [round(float(v), 2) for v in (x0, y0, x1 - x0, y1 - y0)],
            'score': round(float(score), 4)})
    return detections
