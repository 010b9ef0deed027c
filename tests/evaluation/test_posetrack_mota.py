"""PoseTrack tracking metrics (poseval protocol): hand-computed MOTA, precision, recall and MOTP
of tiny videos.

Persons are points: both of their J = 2 joints sit at the same place. Positions are given in
head sizes: every head box is 3 x 4 pixels, whose head size is exactly 0.6 x 5 = 3 pixels.
poseval scores every frame of a video for tracking except the last one: each video below ends
with a frame that would change the counts if it were scored.
"""
import numpy as np
import pytest

from hrnet_plugin.evaluation.functional import (
    MOT_COUNTS,
    PoseTrackFrame,
    frame_joint_events,
    mot_metrics,
    posetrack_tracking,
    summarize_tracking,
    tracking_counts,
)

UNIT = 3.0  # pixels per head size
J = 2


def frame(gt, pred, gt_ids=None, pred_ids=None, regions=(), pred_present=None):
    """A frame from {track id: (x, y)} dicts; both joints of a person sit at its point."""
    gt_ids = list(gt) if gt_ids is None else gt_ids
    pred_ids = list(pred) if pred_ids is None else pred_ids
    gt_xy = UNIT * np.array([gt[k] for k in gt_ids], float).reshape(-1, 1, 2).repeat(J, 1)
    pred_xy = UNIT * np.array([pred[k] for k in pred_ids], float).reshape(-1, 1, 2).repeat(J, 1)
    return PoseTrackFrame(
        gt_keypoints=gt_xy, gt_annotated=np.ones(gt_xy.shape[:2], bool),
        gt_head_boxes=np.tile([0, 0, 3, 4], (len(gt_ids), 1)),
        pred_keypoints=pred_xy, pred_scores=np.ones(pred_xy.shape[:2]),
        ignore_regions=tuple(UNIT * np.asarray(r, float) for r in regions),
        pred_present=pred_present, gt_track_ids=np.array(gt_ids, np.int64),
        pred_track_ids=np.array(pred_ids, np.int64))


A, B = (0.0, 0.0), (10.0, 0.0)  # two persons 10 head sizes apart
GARBAGE = {0: (50.0, 50.0), 1: (60.0, 50.0), 2: (70.0, 50.0)}  # far from everyone


def counts(video):
    """{name: value} of joint type 0 (both joint types are equal here)."""
    result = tracking_counts(video)
    np.testing.assert_array_equal(result[0], result[1])
    return dict(zip(MOT_COUNTS, result[0]))


def assert_counts(video, expected):
    """The counts of joint type 0 are ``expected``: misses, switches, false positives,
    objects, detections and the summed distance of the detections."""
    assert counts(video) == pytest.approx(dict(zip(MOT_COUNTS, expected, strict=True)))


def metrics(video):
    values = mot_metrics(tracking_counts(video))
    return {name: float(v[0]) for name, v in values.items()}


def test_perfect_tracking_and_the_last_frame():
    video = [frame({0: A, 1: B}, {7: (0.1, 0), 9: B}) for _ in range(3)]
    video.append(frame({0: A, 1: B}, GARBAGE))  # last frame: not scored
    assert_counts(video, (0, 0, 0, 6, 6, 0.3))
    # MOTP: mean distance of the 6 matches 0.05 head sizes.
    assert metrics(video) == pytest.approx({'MOTA': 100, 'MOTP': 95, 'Precision': 100,
                                            'Recall': 100})


def test_id_switch_lasting_and_for_one_frame():
    # Frame 1 swaps the ids for good: A and B both switch (2 switches); 6 objects.
    lasting = [frame({0: A, 1: B}, {5: A, 6: B}), frame({0: A, 1: B}, {5: B, 6: A}),
               frame({0: A, 1: B}, {5: B, 6: A}), frame({0: A, 1: B}, {})]
    assert counts(lasting)['switches'] == 2
    assert metrics(lasting)['MOTA'] == pytest.approx(100 * (1 - 2 / 6))
    # Swapped in frame 1 only: switching back in frame 2 switches both again.
    brief = [frame({0: A, 1: B}, {5: A, 6: B}), frame({0: A, 1: B}, {5: B, 6: A}),
             frame({0: A, 1: B}, {5: A, 6: B}), frame({0: A, 1: B}, {})]
    assert counts(brief)['switches'] == 4
    result = metrics(brief)
    assert result['MOTA'] == pytest.approx(100 * (1 - 4 / 6))
    # Switches are detections: precision and recall stay perfect.
    assert result['Precision'] == result['Recall'] == pytest.approx(100)


def test_previous_match_is_kept_while_it_can_still_match():
    # In frame 1 hypothesis 5 is 0.4 from A and hypothesis 6 exactly on A: the optimal
    # assignment would take 6, but A keeps its last hypothesis 5 (no switch); 6 is a FP.
    video = [frame({0: A}, {5: A}), frame({0: A}, {5: (0.4, 0), 6: A}), frame({0: A}, {})]
    assert_counts(video, (0, 0, 1, 2, 2, 0.4))


def test_miss_false_positive_and_threshold():
    video = [frame({0: A, 1: B}, {5: A}),                  # B missed
             frame({0: A, 1: B}, {5: A, 6: B, 7: (30, 0)}),  # a false positive far away
             frame({0: A, 1: B}, {5: (0.5, 0), 6: (10.5000001, 0)}),  # at / past 0.5
             frame({0: A}, {})]
    assert_counts(video, (2, 0, 2, 6, 4, 0.5))
    assert metrics(video) == pytest.approx({'MOTA': 100 * (1 - 4 / 6),
                                            'MOTP': 100 * (1 - 0.5 / 4),
                                            'Precision': 100 * 4 / 6, 'Recall': 100 * 4 / 6})


def test_empty_prediction_frame_is_one_miss_and_one_false_positive():
    # poseval scores a frame without predictions as one placeholder miss and one placeholder
    # false positive per joint type, however many persons it has (here two).
    video = [frame({0: A, 1: B}, {5: A, 6: B}), frame({0: A, 1: B}, {}),
             frame({0: A, 1: B}, {5: A, 6: B}), frame({0: A, 1: B}, {})]
    assert frame_joint_events(video[1]) is None
    assert_counts(video, (1, 0, 1, 5, 4, 0))
    assert metrics(video) == pytest.approx({'MOTA': 60, 'MOTP': 100, 'Precision': 80,
                                            'Recall': 80})


def test_person_leaving_and_ghost():
    # B leaves after frame 0; the tracker keeps a ghost of B where it was: one FP per frame.
    video = [frame({0: A, 1: B}, {5: A, 6: B}), frame({0: A}, {5: A, 6: B}),
             frame({0: A}, {5: A, 6: B}), frame({0: A}, {5: A})]
    assert_counts(video, (0, 0, 2, 4, 4, 0))
    assert metrics(video)['MOTA'] == pytest.approx(50)


def test_ignore_regions_remove_persons_and_can_empty_a_frame():
    region = [[5, -5], [15, -5], [15, 5], [5, 5]]  # around B
    # Frame 1: B and the prediction on it are ignored; frame 2: everyone is inside a region,
    # so poseval removes every person and the frame counts as empty.
    everything = [[-50, -50], [100, -50], [100, 100], [-50, 100]]
    video = [frame({0: A, 1: B}, {5: A, 6: B}),
             frame({0: A, 1: B}, {5: A, 6: B}, regions=[region]),
             frame({0: A, 1: B}, {5: A, 6: B}, regions=[everything]),
             frame({0: A}, {})]
    assert_counts(video, (1, 0, 1, 4, 3, 0))


def test_persons_without_joints_count_only_without_regions():
    # A prediction whose joints are all absent is still a person in a frame without ignore
    # regions (the frame is not empty: A is missed, nothing else); in a frame with a region
    # (anywhere) poseval drops it, and the frame becomes empty.
    absent = np.zeros((1, J), bool)
    far_region = [[500, 500], [600, 500], [600, 600]]
    video = [frame({0: A}, {5: A}), frame({0: A}, {5: A}, pred_present=absent),
             frame({0: A}, {5: A}, pred_present=absent, regions=[far_region]),
             frame({0: A}, {})]
    assert_counts(video, (2, 0, 1, 3, 1, 0))


def test_videos_sum_counts_and_totals_average_joint_types():
    one = [frame({0: A}, {5: A}), frame({0: A}, {5: A}), frame({0: A}, {})]
    two = [frame({0: A, 1: B}, {5: A}), frame({0: A}, {})]
    only = [frame({0: A}, {5: A})]  # a single frame: nothing left to score (poseval fails)
    result = posetrack_tracking([one, two, only])
    np.testing.assert_allclose(result['counts'][0], [1, 0, 0, 4, 3, 0])
    assert result['MOTA'].tolist() == pytest.approx([75, 75])
    # As the first 2 of the 15 PoseTrack joint types (nose, head_bottom), the others nan.
    summary = summarize_tracking({name: np.r_[values, np.full(13, np.nan)] for name, values in
                                  result.items() if name != 'counts'})
    assert summary['Total MOTA'] == pytest.approx(75)  # nan joint types are left out
    assert summary['Total Recall'] == pytest.approx(75)
    assert np.isnan(summary['Head MOTA'])  # head_top is nan
    assert np.isnan(summary['Shou MOTA'])


def test_motp_is_the_mean_over_matches_only():
    # A and B 0.3 apart: each prediction is a candidate for both persons. poseval adds the
    # unmatched candidate pairs (0.3 each) to the distance sum; the textbook MOTP does not.
    near = (0.3, 0.0)
    video = [frame({0: A, 1: near}, {5: A, 6: near}) for _ in range(3)]
    assert counts(video)['matched_distance'] == 0
    assert metrics(video)['MOTP'] == 100


def test_tracking_needs_track_ids():
    bare = PoseTrackFrame(np.zeros((1, J, 2)), np.ones((1, J), bool), np.ones((1, 4)),
                          np.zeros((1, J, 2)), np.ones((1, J)))
    with pytest.raises(ValueError, match='track_ids'):
        frame_joint_events(bare)
