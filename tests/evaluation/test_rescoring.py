"""Person rescoring of top-down predictions, on hand-computed values."""
import numpy as np
import pytest

from hrnet_plugin.evaluation.functional.rescoring import instance_scores


def test_modes_hand_computed():
    bbox = np.array([0.8, 0.5, 1.0])
    keypoints = np.array([[0.9, 0.1, 0.5],    # above 0.2: 0.9, 0.5 -> mean 0.7
                          [0.1, 0.2, 0.15],   # none above 0.2 -> 0
                          [0.3, 0.3, 0.6]])   # all -> 0.4
    np.testing.assert_allclose(instance_scores(bbox, keypoints), [0.8 * 0.7, 0, 0.4])
    np.testing.assert_allclose(instance_scores(bbox, keypoints, 'bbox'), bbox)
    np.testing.assert_allclose(instance_scores(bbox, keypoints, 'keypoint'),
                               [0.5, 0.15, 0.4])
    np.testing.assert_allclose(instance_scores(bbox, keypoints, 'bbox_rle'),
                               [0.8 + 0.5 + 0.9, 0.5 + 0.15 + 0.2, 1.0 + 0.4 + 0.6])
    np.testing.assert_allclose(instance_scores(bbox, keypoints, keypoint_score_thr=0.55),
                               [0.8 * 0.9, 0, 0.6])
    assert instance_scores(np.zeros(0), np.zeros((0, 17))).shape == (0, )
    with pytest.raises(ValueError, match="score mode must be one of .* got 'oks'"):
        instance_scores(bbox, keypoints, 'oks')
