"""Report rows and keypoint agreement on hand-computed values."""
import numpy as np
import pytest

from hrnet_plugin.benchmark import keypoint_agreement, row
from hrnet_plugin.benchmark.rows import per_unit


def test_keypoint_agreement_hand_computed():
    ours = np.array([[[0., 0.], [3., 4.]], [[1., 1.], [2., 2.5]]])
    ref = np.array([[[0., 0.], [0., 0.]], [[1., 2.], [2., 2.]]])
    # distances 0, 5, 1, 0.5: max 5, median 0.75, three of four within 1 px
    assert keypoint_agreement(ours, ref) == dict(agreement=5.0, metric='max keypoint diff (px)',
                                                 within_1px=0.75, median=0.75)


def test_keypoint_agreement_refuses_other_shapes():
    with pytest.raises(ValueError, match=r'keypoint shapes differ: \(1, 2\) vs \(2, 2\)'):
        keypoint_agreement(np.zeros((1, 2)), np.zeros((2, 2)))


def test_row_ratio_and_missing_baseline():
    assert row(0.2, 0.8, 'forward')['ratio'] == pytest.approx(0.25)
    alone = row(0.2, None, 'forward')
    assert alone['ratio'] is None and alone['baseline_s'] is None
    assert per_unit(None, 4) is None and per_unit(2.0, 4) == 0.5
