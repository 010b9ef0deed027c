"""Property tests of the heatmap codecs on arbitrary keypoints and heatmaps: a valid result
or a documented error, never an exception from deep inside numpy or torch.

Documented results: targets in [0, 1] with weights equal to the visibility (as mmpose's), 0 for
a visible keypoint that is not drawn (outside the heatmap, or with a non-finite coordinate), no
numpy warning; decoded keypoints finite, within one heatmap pixel of the heatmap's extent in
input pixels or at the sentinel of an empty map (-1 heatmap pixel), scores the maps' maxima, and
a map holding a non-finite value decoded as an empty one (the sentinel, score 0).
"""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hrnet_plugin.codecs import MSRAHeatmap, UDPHeatmap

HEATMAP = (12, 16)  # [W, H]
INPUT = (48, 64)
CODECS = {
    'msra': MSRAHeatmap(INPUT, HEATMAP, sigma=2),
    'dark': MSRAHeatmap(INPUT, HEATMAP, sigma=2, unbiased=True),
    'udp': UDPHeatmap(INPUT, HEATMAP, sigma=2),
    'udp-combined': UDPHeatmap(INPUT, HEATMAP, heatmap_type='combined'),
}
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=32)
COORDINATE = st.one_of(ANY_FLOAT, st.floats(-100, 100, width=32))


@st.composite
def keypoint_sets(draw):
    """(keypoints (N, K, 2), visibility (N, K)): any float coordinates, visibility 0 or 1 or
    in between."""
    n, k = draw(st.integers(1, 3)), draw(st.integers(1, 5))
    keypoints = draw(arrays(np.float32, (n, k, 2), elements=COORDINATE))
    visible = draw(arrays(np.float32, (n, k), elements=st.one_of(
        st.sampled_from([0.0, 1.0]), st.floats(0, 1, width=32))))
    return keypoints, visible


@pytest.mark.filterwarnings('error::RuntimeWarning')
@pytest.mark.parametrize('name', CODECS)
@given(instances=keypoint_sets())
def test_encoding_arbitrary_keypoints(name, instances):
    keypoints, visible = instances
    codec = CODECS[name]
    encoded = codec.encode(keypoints, visible)
    heatmaps, weights = encoded['heatmaps'], encoded['keypoint_weights']
    assert np.isfinite(heatmaps).all() and np.isfinite(weights).all()
    if name != 'udp-combined':  # offset maps hold signed offsets
        assert heatmaps.shape == (keypoints.shape[1], HEATMAP[1], HEATMAP[0])
        assert ((heatmaps >= 0) & (heatmaps <= 1)).all()
    assert ((weights >= 0) & (weights <= 1)).all()
    unusable = ~np.isfinite(keypoints).all(axis=-1) & (visible >= 0.5)
    assert (weights[unusable] == 0).all()


@st.composite
def heatmap_batches(draw):
    """(B, K, H, W) heatmaps: arbitrary floats, or all zeros, or one constant."""
    channels = 3 * draw(st.integers(1, 3))  # a multiple of 3 for the combined maps
    shape = (draw(st.integers(1, 2)), channels, HEATMAP[1], HEATMAP[0])
    kind = draw(st.sampled_from(['any', 'zeros', 'constant', 'sparse']))
    if kind == 'zeros':
        return np.zeros(shape, np.float32)
    if kind == 'constant':
        return np.full(shape, draw(ANY_FLOAT), np.float32)
    if kind == 'sparse':  # a few arbitrary values in an empty map
        maps = np.zeros(shape, np.float32)
        for _ in range(draw(st.integers(1, 6))):
            index = tuple(draw(st.integers(0, size - 1)) for size in shape)
            maps[index] = draw(ANY_FLOAT)
        return maps
    return draw(arrays(np.float32, shape, elements=st.floats(-2, 2, width=32)))


@pytest.mark.parametrize('name', CODECS)
@given(heatmaps=heatmap_batches())
def test_decoding_arbitrary_heatmaps(name, heatmaps):
    codec = CODECS[name]
    keypoints, scores = codec.batch_decode(torch.from_numpy(heatmaps))
    keypoints, scores = np.concatenate(keypoints), np.concatenate(scores)
    maps = heatmaps[:, 0::3] if name == 'udp-combined' else heatmaps  # (disk, x, y) per keypoint
    empty = ~np.isfinite(maps).all(axis=(2, 3))
    assert np.isfinite(scores).all() and (scores[empty] == 0).all()
    unplaced = ~np.isfinite(keypoints).all(axis=-1)
    if name == 'udp':
        zero_max = empty | (np.where(np.isfinite(maps), maps, 0).max(axis=(2, 3)) == 0)
        assert not (unplaced & ~zero_max).any()
    else:
        assert not unplaced.any()
    if name != 'udp-combined':
        assert np.array_equal(scores[~empty], maps.max(axis=(2, 3))[~empty])
    if name == 'msra':
        pixel = np.array(INPUT) / np.array(HEATMAP)
        assert (keypoints >= -pixel).all() and (keypoints <= INPUT + pixel).all()
