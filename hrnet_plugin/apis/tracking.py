"""Multi-person pose tracking in videos, as in the paper's PoseTrack protocol (SimpleBaseline's:
top-down poses per frame, then greedy matching of poses across frames).

Each frame's poses are linked to the last known poses of the active tracks by OKS, greedily
(:mod:`hrnet_plugin.evaluation.functional.pose_linking`); tracks survive ``max_age`` frames
without a match. With ``flow``, Lucas-Kanade optical flow (OpenCV) between consecutive frames
moves the tracks' last poses to where they should be now before the matching, and a person that
was tracked in the previous frame but has no detection now is looked for in its box moved by
the flow: the box goes through the pose model, and a pose found there that resembles the moved
one (OKS) continues the track. That brings back persons the detector missed (SimpleBaseline's
box propagation), for at most ``flow_max_frames`` frames in a row.

Shapes: P persons of the current frame, T tracks, K keypoints.
"""
import dataclasses
from typing import Callable, Dict, Optional, Tuple

import cv2
import numpy as np
import torch
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample
from mmpose.structures.bbox import bbox_overlaps

from hrnet_plugin.evaluation.functional.pose_linking import (
    TrackState,
    active_tracks,
    assign_tracks,
    greedy_match,
    oks_matrix,
)

#: Lucas-Kanade settings: a 21 x 21 window over a 4-level pyramid follows motions of up to about
#: 100 pixels between frames.
_LK_PARAMS = {'winSize': (21, 21), 'maxLevel': 3,
              'criteria': (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01)}


def box_areas(boxes: np.ndarray) -> np.ndarray:
    """Areas (N,) of (N, 4) xyxy boxes, the OKS scale of their poses."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    return np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0,
                                                                  None)


def _poses(instances: InstanceData) -> np.ndarray:
    """(P, K, 3) x, y, score of the instances."""
    return np.concatenate([np.asarray(instances.keypoints, np.float64),
                           np.asarray(instances.keypoint_scores, np.float64)[..., None]], -1)


def _concat(first: InstanceData, second: InstanceData) -> InstanceData:
    """The instances of both, on the fields they share."""
    shared = set(first.keys()) & set(second.keys())
    return InstanceData(**{key: np.concatenate([np.asarray(first.get(key)),
                                                np.asarray(second.get(key))])
                           for key in sorted(shared)})


def _gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


class PoseTracker:
    """Assigns a persistent ``track_id`` to the persons of a video, frame after frame.

    Call :meth:`update` with each frame and its top-down result, in order. Everything is
    deterministic: the same frames and results give the same ids.

    Args:
        sigmas: (K,) keypoint sigmas of the pose model's dataset (``dataset_meta['sigmas']``).
        oks_thr: least OKS in [0, 1] with which a pose continues a track.
        max_age: frames (>= 1) a track may go unmatched and still continue.
        kpt_thr: when set, only keypoints scoring above it in both poses count in the OKS.
        flow: move the tracks by optical flow and recover missed persons (see the module).
        flow_kpt_thr: keypoints scoring above it steer a track's box when it is moved.
        flow_iou_thr: a moved box overlapping a detected person by more than this IoU is not
            searched (the person is there already, or in the way).
        flow_max_frames: frames in a row a track may be continued by recovered poses alone.
    """

    def __init__(self, sigmas: np.ndarray, oks_thr: float = 0.3, max_age: int = 5,
                 kpt_thr: Optional[float] = None, flow: bool = False,
                 flow_kpt_thr: float = 0.3, flow_iou_thr: float = 0.5,
                 flow_max_frames: int = 3) -> None:
        for name, value in (('oks_thr', oks_thr), ('flow_kpt_thr', flow_kpt_thr),
                            ('flow_iou_thr', flow_iou_thr)):
            if not 0 <= value <= 1:
                raise ValueError(f'{name} must be in [0, 1], got {value}')
        if max_age < 1 or flow_max_frames < 0:
            raise ValueError(f'max_age must be >= 1 and flow_max_frames >= 0, got {max_age} '
                             f'and {flow_max_frames}')
        self.sigmas = np.asarray(sigmas, np.float64)
        self.oks_thr = oks_thr
        self.max_age = max_age
        self.kpt_thr = kpt_thr
        self.flow = flow
        self.flow_kpt_thr = flow_kpt_thr
        self.flow_iou_thr = flow_iou_thr
        self.flow_max_frames = flow_max_frames
        self._state = TrackState.empty(len(self.sigmas))
        self._boxes: Dict[int, np.ndarray] = {}  # track id -> last box (5,): xyxy, score
        self._recovered: Dict[int, int] = {}  # track id -> frames in a row kept by the flow
        self._previous: Optional[np.ndarray] = None  # last frame, grayscale
        self._frame = 0

    def update(self, image: np.ndarray, result: PoseDataSample,
               estimate: Optional[Callable[[np.ndarray], PoseDataSample]] = None
               ) -> PoseDataSample:
        """Track the persons of the next frame.

        Args:
            image: (H, W, 3) BGR frame (used with ``flow`` only).
            result: its poses (``pred_instances`` with ``keypoints``, ``keypoint_scores``,
                ``bboxes``, ``bbox_scores``); ``pred_instances.track_ids`` (P,) is set.
            estimate: with ``flow``, the pose model on boxes of this frame: (M, 5) xyxy + score
                -> a result with one person per box; without it nothing is recovered.

        Returns:
            ``result``, with the recovered persons appended when there are any.
        """
        instances = result.pred_instances
        poses, areas = _poses(instances), box_areas(instances.bboxes)
        state = active_tracks(self._state, self._frame, self.max_age)
        gray = _gray(image) if self.flow else None
        moved = self._move_tracks(state, gray) if self._previous is not None else None
        if moved is not None:
            state = dataclasses.replace(state, keypoints=moved[0])
        similarity = oks_matrix(poses, areas, state.keypoints, state.areas, self.sigmas,
                                self.kpt_thr)
        columns = greedy_match(similarity, self.oks_thr)
        before = state
        ids, state = assign_tracks(state, columns, poses, areas, self._frame)
        for track_id, box, score in zip(ids, np.asarray(instances.bboxes),
                                        np.asarray(instances.bbox_scores)):
            self._boxes[int(track_id)] = np.append(box, score)
            self._recovered[int(track_id)] = 0
        if moved is not None and estimate is not None:
            lost = np.flatnonzero((before.last_seen == self._frame - 1)
                                  & ~np.isin(np.arange(len(before.ids)), columns))
            recovered, recovered_ids, state = self._recover(
                image, before, lost, moved[1], instances.bboxes, state, estimate)
            if recovered is not None:
                instances = _concat(instances, recovered)
                ids = np.concatenate([ids, recovered_ids])
        instances.track_ids = ids
        result.pred_instances = instances
        self._state, self._previous = state, gray
        # Forget the boxes of ended tracks, so that memory follows the active tracks only.
        alive = set(state.ids.tolist())
        self._boxes = {key: box for key, box in self._boxes.items() if key in alive}
        self._recovered = {key: n for key, n in self._recovered.items() if key in alive}
        self._frame += 1
        return result

    def _move_tracks(self, state: TrackState, gray: Optional[np.ndarray]
                     ) -> Optional[Tuple[np.ndarray, np.ndarray]]:
        """The tracks' last poses (T, K, 3) and boxes (T, 5) moved by the optical flow from the
        previous frame to ``gray`` (boxes by the median motion of their confident keypoints,
        NaN where none was followed); None without flow."""
        if gray is None or not len(state.ids):
            return None if gray is None else (state.keypoints, np.zeros((0, 5)))
        points = state.keypoints[..., :2].reshape(-1, 1, 2).astype(np.float32)
        moved, status, _ = cv2.calcOpticalFlowPyrLK(self._previous, gray, points, None,
                                                    **_LK_PARAMS)
        followed = status.reshape(state.keypoints.shape[:2]).astype(bool)
        shift = np.where(followed[..., None], moved.reshape(state.keypoints.shape[:2] + (2,))
                         - state.keypoints[..., :2], 0.0)
        keypoints = state.keypoints.copy()
        keypoints[..., :2] += shift
        boxes = np.full((len(state.ids), 5), np.nan)
        for row, track_id in enumerate(state.ids):
            steer = followed[row] & (state.keypoints[row, :, 2] > self.flow_kpt_thr)
            box = self._boxes.get(int(track_id))
            if box is not None and steer.any():
                boxes[row] = box + np.append(np.tile(np.median(shift[row, steer], 0), 2), 0)
        return keypoints, boxes

    def _recover(self, image: np.ndarray, tracks: TrackState, lost: np.ndarray,
                 boxes: np.ndarray, detected: np.ndarray, state: TrackState,
                 estimate: Callable[[np.ndarray], PoseDataSample]):
        """Look for the lost tracks' persons in their moved boxes; returns the recovered
        instances (or None), their ids, and the tracks after them."""
        height, width = image.shape[:2]
        candidates = boxes[lost].copy()
        candidates[:, [0, 2]] = np.clip(candidates[:, [0, 2]], 0, width)
        candidates[:, [1, 3]] = np.clip(candidates[:, [1, 3]], 0, height)
        keep = ~np.isnan(candidates).any(1) & (box_areas(candidates[:, :4]) > 0)
        keep &= np.array([self._recovered.get(int(tracks.ids[row]), 0) < self.flow_max_frames
                          for row in lost], bool)
        if len(detected) and keep.any():
            overlaps = bbox_overlaps(torch.from_numpy(candidates[:, :4]),
                                     torch.from_numpy(np.asarray(detected, np.float64))).numpy()
            keep &= overlaps.max(1) <= self.flow_iou_thr
        lost, candidates = lost[keep], candidates[keep]
        if not len(lost):
            return None, None, state
        found = estimate(candidates.astype(np.float32)).pred_instances
        if len(found) != len(lost):
            raise RuntimeError(f'the pose model returned {len(found)} persons for '
                               f'{len(lost)} boxes')
        poses, areas = _poses(found), box_areas(found.bboxes)
        # Same person: the pose found resembles the track's pose moved by the flow.
        similar = np.array([oks_matrix(pose[None], area[None], tracks.keypoints[row][None],
                                       tracks.areas[row][None], self.sigmas, self.kpt_thr)[0, 0]
                            for pose, area, row in zip(poses, areas, lost)]) >= self.oks_thr
        if not similar.any():
            return None, None, state
        # The lost tracks keep their rows in ``state`` (new tracks are appended after them).
        ids, state = assign_tracks(state, lost[similar], poses[similar], areas[similar],
                                   self._frame)
        for track_id, box in zip(ids, candidates[similar]):
            self._boxes[int(track_id)] = box
            self._recovered[int(track_id)] += 1
        return found[np.flatnonzero(similar)], ids, state
