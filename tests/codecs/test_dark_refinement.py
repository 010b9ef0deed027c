"""The part of the DARK refinement that noise-like heatmaps rarely reach."""
import numpy as np

from hrnet_plugin.codecs.utils.dark_refinement import float32_determinant_is_nonzero


def test_determinant_check_follows_float32_scalar_arithmetic():
    """mmpose tests ``dxx * dyy - dxy**2 != 0`` on float32 scalars, where ``**`` is libm's
    powf: products equal to the square or one float next to it decide by powf's rounding."""
    rng = np.random.default_rng(0)
    dxy = np.concatenate([rng.normal(size=20000), [1 + 2**-12, 0, np.inf, np.nan]])
    dxy = dxy.astype(np.float32)
    square = dxy * dxy
    dxx = np.concatenate([square, np.nextafter(square, np.inf), np.nextafter(square, -np.inf),
                          rng.normal(size=dxy.shape).astype(np.float32)])
    dxy = np.tile(dxy, 4)
    dyy = np.ones_like(dxx)
    expected = [a * b - c**2 != 0 for a, b, c in zip(dxx, dyy, dxy, strict=True)]
    with np.errstate(invalid='ignore', over='ignore'):
        np.testing.assert_array_equal(float32_determinant_is_nonzero(dxx, dxy, dyy), expected)
