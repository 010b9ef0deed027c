"""What the codec base requires of subclasses, argument checks and empty batches."""
import numpy as np
import pytest
import torch

from hrnet_plugin.codecs import MSRAHeatmap, UDPHeatmap
from hrnet_plugin.codecs.utils.heatmap_codec_base import HeatmapCodecBase


def test_codec_base_declares_what_subclasses_provide():
    class NoScale(HeatmapCodecBase):
        def _encode_heatmaps(self, keypoints, keypoints_visible):
            return np.zeros((1, 1, 1)), keypoints_visible

        def _decode_batch(self, heatmaps):
            return heatmaps, heatmaps

    with pytest.raises(TypeError, match='scale_factor'):
        NoScale((192, 256), (48, 64))
    codec = MSRAHeatmap((192, 256), (48, 64), sigma=2)
    np.testing.assert_array_equal(codec.scale_factor, np.float32([4, 4]))


def test_udp_needs_two_heatmap_pixels_per_axis():
    with pytest.raises(ValueError, match=r'heatmap_size must be at least \[2, 2\].*\(1, 64\)'):
        UDPHeatmap((192, 256), (1, 64))


@pytest.mark.parametrize('codec,channels', [
    (MSRAHeatmap((192, 256), (48, 64), sigma=2), 17),
    (MSRAHeatmap((192, 256), (48, 64), sigma=2, unbiased=True), 17),
    (UDPHeatmap((192, 256), (48, 64)), 17),
    (UDPHeatmap((192, 256), (48, 64), heatmap_type='combined'), 51),
], ids=['msra', 'dark', 'udp', 'udp-combined'])
def test_batch_decode_of_no_instances(codec, channels):
    keypoints, scores = codec.batch_decode(torch.zeros(0, channels, 64, 48))
    assert keypoints == [] and scores == []
