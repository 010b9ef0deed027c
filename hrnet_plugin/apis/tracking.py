"""Greedy IoU tracking of person boxes between consecutive video frames.

Shapes: P boxes in the previous frame, N in the current one.
"""
import numpy as np
import torch
from mmpose.structures.bbox import bbox_overlaps


class IoUTracker:
    """Assign a persistent ``track_id`` to each person box of a video, frame after frame.

    Each new frame's boxes are matched to the previous frame's greedily: the pair with the
    highest IoU first, then the highest among the remaining boxes, and so on while the IoU is
    at least ``iou_thr``. A matched box inherits the previous box's id; an unmatched one gets
    a new id (0, 1, 2...). Only the previous frame is remembered: a person missed for one
    frame (or a frame that is skipped) comes back under a new id.

    Args:
        iou_thr: minimum IoU in (0, 1] for two boxes to be the same person.
    """

    def __init__(self, iou_thr: float = 0.3) -> None:
        if not 0 < iou_thr <= 1:
            raise ValueError(f'iou_thr must be in (0, 1], got {iou_thr}')
        self.iou_thr = iou_thr
        self._boxes = np.zeros((0, 4))
        self._ids = np.zeros(0, np.int64)
        self._next_id = 0

    def update(self, bboxes: np.ndarray) -> np.ndarray:
        """Track ids (N,) of the current frame's boxes (N, 4) xyxy."""
        bboxes = np.asarray(bboxes, np.float64).reshape(-1, 4)
        ious = bbox_overlaps(torch.from_numpy(self._boxes), torch.from_numpy(bboxes)).numpy()
        ids = np.full(len(bboxes), -1, np.int64)
        taken = np.zeros(len(self._boxes), bool)
        # Visit pairs by decreasing IoU; stops at the first one below the threshold.
        for flat in np.argsort(-ious, axis=None, kind='stable'):
            prev, cur = divmod(int(flat), len(bboxes))
            if ious[prev, cur] < self.iou_thr:
                break
            if not taken[prev] and ids[cur] < 0:
                ids[cur] = self._ids[prev]
                taken[prev] = True
        new = ids < 0
        ids[new] = np.arange(self._next_id, self._next_id + new.sum())
        self._next_id += int(new.sum())
        self._boxes, self._ids = bboxes, ids
        return ids
