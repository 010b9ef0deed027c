"""relative_max_error on hand-computed values."""
import pytest
import torch

from hrnet_plugin.deploy import relative_max_error


@pytest.mark.parametrize('got,expected,error', [
    ([[1., 2.], [3., 7.]], [[1., 2.], [3., 5.]], 2 / 4),     # range 1..5, off by 2 at one value
    ([-1., 2.], [-2., 2.], 1 / 4),                            # negative values: range -2..2
    ([0.5, 0.25], [0.5, 0.25], 0.0),
    ([3., 3.5], [3., 3.], 0.5),                               # constant: the absolute error
], ids=['positive', 'negative', 'equal', 'constant'])
def test_relative_max_error_hand_computed(got, expected, error):
    assert relative_max_error(torch.tensor(got), torch.tensor(expected)) == pytest.approx(error)


def test_relative_max_error_compares_reduced_precision_in_float32():
    expected = torch.tensor([0., 1., 2.])
    got = expected.to(torch.bfloat16) + torch.tensor([0., 0., 0.5], dtype=torch.bfloat16)
    assert relative_max_error(got, expected) == pytest.approx(0.25)


def test_relative_max_error_refuses_other_shapes():
    with pytest.raises(ValueError, match=r'shapes differ: got \(2, 1\), expected \(2,\)'):
        relative_max_error(torch.zeros(2, 1), torch.zeros(2))
