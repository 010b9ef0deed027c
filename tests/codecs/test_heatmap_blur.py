"""The stacked blur equals OpenCV's blur of each map alone (mmpose's decoders) bit for bit."""
import cv2
import numpy as np
import pytest
from mmpose.codecs.utils.post_processing import gaussian_blur as mmpose_gaussian_blur

from hrnet_plugin.codecs.utils import blur_reflect_border, blur_with_max_factor

# [W, H]: the decoding test sizes, an odd size and one smaller than the widest kernel
SIZES = [(48, 64), (72, 96), (24, 32), (64, 64), (16, 16), (5, 7), (3, 2)]


def maps_of(size, seed):
    """Uniform and Gaussian noise, constant, all-zero and negative maps."""
    w, h = size
    rng = np.random.default_rng(seed)
    maps = np.concatenate([rng.uniform(size=(40, h, w)), rng.normal(size=(40, h, w)),
                           np.full((1, h, w), 0.5), np.zeros((1, h, w)), -np.ones((1, h, w))])
    return maps.astype(np.float32)


@pytest.mark.parametrize('kernel', [3, 11, 17])
@pytest.mark.parametrize('size', SIZES, ids=lambda s: f'{s[0]}x{s[1]}')
def test_zero_border_blur_equals_mmpose(size, kernel):
    """Blurred and rescaled to each map's maximum, as mmpose's DARK and UDP decoders do."""
    maps = maps_of(size, kernel)
    blurred, factor = blur_with_max_factor(maps, kernel)
    with np.errstate(divide='ignore', invalid='ignore'):
        expected = mmpose_gaussian_blur(maps.copy(), kernel)   # per map, in place
    np.testing.assert_array_equal(blurred * factor[:, None, None], expected)


@pytest.mark.parametrize('kernel', [3, 23, 35])
@pytest.mark.parametrize('size', SIZES, ids=lambda s: f'{s[0]}x{s[1]}')
def test_reflect_border_blur_equals_opencv_per_map(size, kernel):
    """As mmpose's UDP "combined" decoder blurs each disk map in place (kernel 2 * 11 + 1)."""
    maps = maps_of(size, kernel)
    expected = maps.copy()
    for one in expected:
        cv2.GaussianBlur(one, (kernel, kernel), 0, one)
    np.testing.assert_array_equal(blur_reflect_border(maps, kernel), expected)
