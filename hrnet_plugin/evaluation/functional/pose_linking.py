"""Linking the poses of a video into tracks, frame after frame, greedily by OKS.

The tracking step of the paper's PoseTrack protocol, the one of SimpleBaseline (Xiao et al.,
"Simple Baselines for Human Pose Estimation and Tracking", ECCV 2018): the poses of each frame
are matched to the last known poses of the active tracks by object keypoint similarity (OKS,
mmpose's ``oks_iou``), greedily: the most similar pair first, then the most similar among the
remaining poses and tracks, while the similarity reaches a threshold. A matched pose continues
its track; an unmatched one starts a new track; a track not matched for more than ``max_age``
frames ends. The state is an immutable :class:`TrackState`, so every step is a pure function.

Shape legend: P poses of the current frame, T active tracks, K keypoints.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
from mmpose.evaluation.functional.nms import oks_iou


@dataclass(frozen=True)
class TrackState:
    """The active tracks after a frame.

    Attributes:
        ids: (T,) int64 track ids, increasing.
        keypoints: (T, K, 3) the last pose of each track: x, y, score.
        areas: (T,) the areas (pixels^2) of those poses, the OKS scale.
        last_seen: (T,) int64 frame index where each track was last matched.
        next_id: the id the next new track gets.
    """

    ids: np.ndarray
    keypoints: np.ndarray
    areas: np.ndarray
    last_seen: np.ndarray
    next_id: int = 0

    @classmethod
    def empty(cls, num_keypoints: int) -> 'TrackState':
        """No track yet."""
        return cls(np.zeros(0, np.int64), np.zeros((0, num_keypoints, 3)), np.zeros(0),
                   np.zeros(0, np.int64))


def oks_matrix(keypoints: np.ndarray, areas: np.ndarray, track_keypoints: np.ndarray,
               track_areas: np.ndarray, sigmas: np.ndarray,
               kpt_thr: Optional[float] = None) -> np.ndarray:
    """OKS between every pose and every track (mmpose's ``oks_iou``, which averages the two
    areas).

    Args:
        keypoints: (P, K, 3) poses x, y, score.
        areas: (P,) their areas.
        track_keypoints: (T, K, 3) the tracks' last poses.
        track_areas: (T,) their areas.
        sigmas: (K,) keypoint sigmas of the dataset.
        kpt_thr: when set, only keypoints scoring above it in both poses count.

    Returns:
        (P, T) float64 similarities in [0, 1].
    """
    keypoints = np.asarray(keypoints, np.float64)
    tracks = np.asarray(track_keypoints, np.float64)
    similarity = np.zeros((len(keypoints), len(tracks)))
    if len(tracks):
        tracks = tracks.reshape(len(tracks), -1)  # (T, K * 3), as oks_iou takes them
        for row, (pose, area) in enumerate(zip(keypoints, np.asarray(areas, np.float64))):
            similarity[row] = oks_iou(pose.reshape(-1), tracks, area,
                                      np.asarray(track_areas, np.float64), sigmas, kpt_thr)
    return similarity


def greedy_match(similarity: np.ndarray, threshold: float) -> np.ndarray:
    """Greedy one-to-one matching of rows (poses) to columns (tracks).

    Pairs are taken by decreasing similarity (ties: lower row, then lower column first) while
    the similarity is at least ``threshold``, skipping pairs whose row or column is taken.

    Args:
        similarity: (P, T).
        threshold: the least similarity of a match.

    Returns:
        (P,) int64 matched column of each row, -1 for unmatched rows.
    """
    similarity = np.asarray(similarity, np.float64)
    matches = np.full(similarity.shape[0], -1, np.int64)
    taken = np.zeros(similarity.shape[1], bool)
    for flat in np.argsort(-similarity, axis=None, kind='stable'):
        row, column = divmod(int(flat), similarity.shape[1])
        if not similarity[row, column] >= threshold:
            break  # sorted: every remaining pair is less similar (nan sorts last)
        if matches[row] < 0 and not taken[column]:
            matches[row] = column
            taken[column] = True
    return matches


def active_tracks(state: TrackState, frame_index: int, max_age: int) -> TrackState:
    """The tracks matched at most ``max_age`` frames before ``frame_index`` (the others end)."""
    keep = frame_index - state.last_seen <= max_age
    return TrackState(state.ids[keep], state.keypoints[keep], state.areas[keep],
                      state.last_seen[keep], state.next_id)


def assign_tracks(state: TrackState, columns: np.ndarray, keypoints: np.ndarray,
                  areas: np.ndarray, frame_index: int) -> Tuple[np.ndarray, TrackState]:
    """Give each pose the track of its column, or a new track where the column is -1.

    Args:
        state: the tracks the columns index.
        columns: (P,) a track index of ``state`` per pose (distinct), or -1.
        keypoints: (P, K, 3) the poses, which become the last poses of their tracks.
        areas: (P,) their areas.
        frame_index: the frame of the poses.

    Returns:
        ``(ids, state)``: (P,) int64 track ids, and the tracks after the frame (new ones last).
    """
    columns = np.asarray(columns, np.int64)
    keypoints = np.asarray(keypoints, np.float64)
    areas = np.asarray(areas, np.float64)
    new = columns < 0
    ids = np.empty(len(columns), np.int64)
    ids[~new] = state.ids[columns[~new]]
    ids[new] = np.arange(state.next_id, state.next_id + new.sum())
    track_keypoints, track_areas = state.keypoints.copy(), state.areas.copy()
    last_seen = state.last_seen.copy()
    track_keypoints[columns[~new]] = keypoints[~new]
    track_areas[columns[~new]] = areas[~new]
    last_seen[columns[~new]] = frame_index
    return ids, TrackState(
        np.concatenate([state.ids, ids[new]]),
        np.concatenate([track_keypoints, keypoints[new]]),
        np.concatenate([track_areas, areas[new]]),
        np.concatenate([last_seen, np.full(new.sum(), frame_index, np.int64)]),
        state.next_id + int(new.sum()))


def link_poses(state: TrackState, keypoints: np.ndarray, areas: np.ndarray, frame_index: int,
               sigmas: np.ndarray, oks_thr: float = 0.3, max_age: int = 5,
               kpt_thr: Optional[float] = None) -> Tuple[np.ndarray, TrackState]:
    """Track ids for the poses of one frame, and the tracks after it.

    Args:
        state: the tracks after the previous frames (``TrackState.empty`` at the start).
        keypoints: (P, K, 3) the frame's poses: x, y, score.
        areas: (P,) their areas (the OKS scale; e.g. box areas).
        frame_index: the frame's position in the video (frames without poses count too).
        sigmas: (K,) keypoint sigmas of the dataset.
        oks_thr: the least OKS with which a pose continues a track.
        max_age: frames a track may go unmatched and still continue (1: the previous frame's
            tracks only).
        kpt_thr: see :func:`oks_matrix`.

    Returns:
        ``(ids, state)``: (P,) int64 track ids and the tracks after this frame.
    """
    state = active_tracks(state, frame_index, max_age)
    similarity = oks_matrix(keypoints, areas, state.keypoints, state.areas, sigmas, kpt_thr)
    return assign_tracks(state, greedy_match(similarity, oks_thr), keypoints, areas,
                         frame_index)
