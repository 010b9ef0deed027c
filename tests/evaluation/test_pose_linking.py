"""Greedy OKS linking of poses into tracks: hand-computed similarities, matches and ids."""
import numpy as np
import pytest

from hrnet_plugin.evaluation.functional import (
    TrackState,
    assign_tracks,
    greedy_match,
    link_poses,
    oks_matrix,
)

SIGMAS = np.array([0.1, 0.2])


def pose(x: float, y: float, score: float = 1.0) -> np.ndarray:
    """(2, 3): two keypoints 10 px apart, starting at (x, y)."""
    return np.array([[x, y, score], [x + 10, y, score]])


def test_oks_by_hand():
    # Area 100 each: e_k = d^2 / (2 sigma_k)^2 / 100 / 2, OKS = mean_k exp(-e_k).
    a, b = pose(0, 0), pose(0, 0)
    b[1, 0] += 2  # second keypoint 2 px off
    expected = (1 + np.exp(-4 / 0.16 / 100 / 2)) / 2
    similarity = oks_matrix(a[None], [100.0], b[None], [100.0], SIGMAS)
    assert similarity.shape == (1, 1)
    assert similarity[0, 0] == pytest.approx(expected, rel=1e-6)
    # kpt_thr: keypoints scoring below it in either pose do not count.
    b[0, 2] = 0.1
    assert oks_matrix(a[None], [100.0], b[None], [100.0], SIGMAS, kpt_thr=0.5)[0, 0] == (
        pytest.approx(np.exp(-4 / 0.16 / 100 / 2), rel=1e-6))
    assert oks_matrix(np.zeros((0, 2, 3)), [], b[None], [100.0], SIGMAS).shape == (0, 1)
    assert oks_matrix(a[None], [100.0], np.zeros((0, 2, 3)), [], SIGMAS).shape == (1, 0)


def test_greedy_match_is_greedy_not_optimal():
    # Greedy takes (0, 0) = 0.9 first; row 1 is then left with 0.1 < 0.3. The optimal
    # assignment would pair (0, 1) and (1, 0) for 1.65 in total.
    assert greedy_match(np.array([[0.9, 0.8], [0.85, 0.1]]), 0.3).tolist() == [0, -1]
    # Ties: lower row first, then lower column; the threshold itself matches; nan never.
    assert greedy_match(np.array([[0.5, 0.5], [0.5, 0.5]]), 0.5).tolist() == [0, 1]
    assert greedy_match(np.array([[np.nan, 0.4]]), 0.3).tolist() == [1]
    assert greedy_match(np.zeros((2, 0)), 0.3).tolist() == [-1, -1]


def test_link_poses_ids_follow_persons_and_survive_gaps():
    state = TrackState.empty(2)
    area = [400.0, 400.0]

    def step(poses, frame, **kwargs):
        nonlocal state
        ids, state = link_poses(state, np.array(poses), area[:len(poses)], frame, SIGMAS,
                                **{'max_age': 2, **kwargs})
        return ids.tolist()

    assert step([pose(0, 0), pose(100, 0)], 0) == [0, 1]
    assert step([pose(101, 0), pose(1, 0)], 1) == [1, 0]  # reordered, moved by 1 px
    assert step([pose(2, 0)], 2) == [0]  # person 1 missed
    assert step([pose(102, 0), pose(3, 0)], 3) == [1, 0]  # back after 1 frame: same id
    assert step([pose(4, 0)], 4) == [0]
    assert step([pose(4, 0)], 5) == [0]
    # Person 1 last seen at frame 3: too old at frame 6 (max_age 2), it gets a new id; ids are
    # never reused.
    assert step([pose(104, 0), pose(5, 0)], 6) == [2, 0]
    assert step([pose(500, 500)], 7) == [3]  # a newcomer
    assert state.next_id == 4 and state.ids.tolist() == [0, 2, 3]
    # A pose too different from every track (OKS below the threshold) starts a track.
    assert step([pose(30, 0)], 8, oks_thr=0.9) == [4]


def test_assign_tracks_keeps_rows_and_appends_new_tracks():
    state = TrackState(np.array([4, 9]), np.stack([pose(0, 0), pose(50, 0)]),
                       np.array([1.0, 2.0]), np.array([0, 0]), next_id=10)
    ids, state = assign_tracks(state, np.array([-1, 1]), np.stack([pose(9, 9), pose(51, 0)]),
                               np.array([3.0, 4.0]), 1)
    assert ids.tolist() == [10, 9]
    assert state.ids.tolist() == [4, 9, 10] and state.last_seen.tolist() == [0, 1, 1]
    assert state.areas.tolist() == [1.0, 4.0, 3.0] and state.next_id == 11
    np.testing.assert_array_equal(state.keypoints[1], pose(51, 0))
