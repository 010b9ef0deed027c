"""Codecs encode and decode exactly as mmpose's on real annotations and arbitrary heatmaps."""
import json

import numpy as np
import pytest
import torch
from mmpose.codecs import MSRAHeatmap as RefMSRA
from mmpose.codecs import UDPHeatmap as RefUDP

from hrnet_plugin.codecs import MSRAHeatmap, UDPHeatmap

INPUT, HEATMAP = (192, 256), (48, 64)
# [W, H] heatmap sizes of the differential decoding tests (input size 4x)
SIZES = [(48, 64), (72, 96), (24, 32), (64, 64), (16, 16)]

CODECS = {
    'msra-s2': dict(cls=(MSRAHeatmap, RefMSRA), kw=dict(sigma=2)),
    'msra-s3': dict(cls=(MSRAHeatmap, RefMSRA), kw=dict(sigma=3)),
    'msra-s1.5': dict(cls=(MSRAHeatmap, RefMSRA), kw=dict(sigma=1.5)),
    'dark': dict(cls=(MSRAHeatmap, RefMSRA), kw=dict(sigma=2, unbiased=True)),
    'udp': dict(cls=(UDPHeatmap, RefUDP), kw=dict(sigma=2)),
    'udp-combined': dict(cls=(UDPHeatmap, RefUDP), kw=dict(heatmap_type='combined')),
}


def make(name, heatmap_size=HEATMAP):
    ours, ref = CODECS[name]['cls']
    input_size = tuple(4 * v for v in heatmap_size)
    kw = dict(input_size=input_size, heatmap_size=heatmap_size, **CODECS[name]['kw'])
    return ours(**kw), ref(**kw)


def real_instances(data_root):
    """(keypoints (N, K, 2), visibility (N, K)) of every annotated person of the three sample
    datasets, mapped from its box to the 192x256 input, plus shifted copies partly outside."""
    keypoints, visible = [], []

    def add(xy, vis, box):
        x, y, w, h = box
        scale = np.array(INPUT) / np.maximum([w, h], 1)
        keypoints.append((xy - [x, y]) * scale)
        visible.append(vis)

    for path in ('coco/test_coco.json', 'posetrack18/annotations/test_posetrack18_val.json'):
        coco = json.loads((data_root / path).read_text())
        for ann in coco['annotations']:
            kpts = np.array(ann['keypoints'], dtype=np.float32).reshape(-1, 3)
            add(kpts[:, :2], np.minimum(kpts[:, 2], 1), ann['bbox'])
    for ann in json.loads((data_root / 'mpii/test_mpii.json').read_text()):
        joints = np.array(ann['joints'], dtype=np.float32)
        size = ann['scale'] * 200
        cx, cy = ann['center']
        add(joints, np.array(ann['joints_vis'], dtype=np.float32),
            (cx - size / 2, cy - size / 2, size, size))
    # Same K for stacking: pad MPII's 16 joints to 17 (invisible).
    k = max(len(v) for v in visible)
    keypoints = [np.pad(p, ((0, k - len(p)), (0, 0))) for p in keypoints]
    visible = [np.pad(v, (0, k - len(v))) for v in visible]
    xy, vis = np.stack(keypoints).astype(np.float32), np.stack(visible).astype(np.float32)
    rng = np.random.default_rng(0)
    shifted = xy + rng.uniform(-120, 120, size=(len(xy), 1, 2)).astype(np.float32)
    return np.concatenate([xy, shifted]), np.concatenate([vis, vis])


@pytest.mark.parametrize('name', list(CODECS))
def test_encode_equals_mmpose_on_real_annotations(name, data_root):
    ours, ref = make(name)
    keypoints, visible = real_instances(data_root)
    assert (keypoints < 0).any() and (keypoints[..., 0] > INPUT[0]).any()  # edge cases present
    for kpts, vis in zip(keypoints, visible):
        got = ours.encode(kpts[None], vis[None])
        expected = ref.encode(kpts[None], vis[None])
        np.testing.assert_allclose(got['heatmaps'], expected['heatmaps'], atol=1e-6, rtol=0)
        np.testing.assert_array_equal(got['keypoint_weights'], expected['keypoint_weights'])


def smooth_heatmaps(rng, count, channels=17, negative=True, size=HEATMAP):
    """Sums of random Gaussian bumps (and a little noise): well-conditioned maxima."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    maps = np.zeros((count, channels, h, w), dtype=np.float32)
    for _ in range(3):
        cx = rng.uniform(-2, w + 2, (count, channels, 1, 1))
        cy = rng.uniform(-2, h + 2, (count, channels, 1, 1))
        s = rng.uniform(1.5, 4, (count, channels, 1, 1))
        a = rng.uniform(0.2, 1.0, (count, channels, 1, 1))
        maps += (a * np.exp(-((x - cx)**2 + (y - cy)**2) / (2 * s**2))).astype(np.float32)
    maps += rng.normal(0, 0.002, maps.shape).astype(np.float32)
    if negative:
        maps -= 0.05
    return maps


def edge_cases(channels=17, size=HEATMAP):
    """All-zero, all-negative, constant maps and maxima on each border and corner."""
    w, h = size
    maps = np.zeros((4, channels, h, w), dtype=np.float32)
    maps[1] = -1
    maps[2] = 0.5
    points = [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), (1, 5), (w - 2, 7), (9, 1),
              (9, h - 2), (2, 2), (w - 3, h - 3)]
    y, x = np.mgrid[0:h, 0:w]
    for k in range(channels):
        px, py = points[k % len(points)]
        maps[3, k] = np.exp(-((x - px)**2 + (y - py)**2) / 8.0)
    return maps


def compare_decode(ours, ref, maps, atol_px=1e-4):
    got_kpts, got_scores = ours.batch_decode(torch.from_numpy(maps))
    for i, hm in enumerate(maps):
        kpts, scores = ref.decode(hm.copy())
        np.testing.assert_allclose(got_kpts[i], kpts, atol=atol_px, rtol=0, err_msg=f'inst {i}')
        np.testing.assert_allclose(got_scores[i], scores, atol=1e-6, rtol=0)
        single_kpts, single_scores = ours.decode(hm.copy())
        np.testing.assert_array_equal(single_kpts, got_kpts[i])


@pytest.mark.parametrize('name', ['msra-s2', 'dark', 'udp'])
def test_decode_equals_mmpose(name, data_root):
    ours, ref = make(name)
    rng = np.random.default_rng(1)
    keypoints, visible = real_instances(data_root)
    targets = np.stack([ref.encode(k[None], v[None])['heatmaps']
                        for k, v in zip(keypoints, visible)])
    for maps in (targets, smooth_heatmaps(rng, 16), edge_cases()):
        compare_decode(ours, ref, maps)


def test_msra_decode_equals_mmpose_on_noise():
    """The quarter-offset rule depends on signs only: exact even on white noise."""
    ours, ref = make('msra-s2')
    rng = np.random.default_rng(2)
    compare_decode(ours, ref, rng.normal(size=(8, 17, 64, 48)).astype(np.float32))


def test_udp_combined_decode_equals_mmpose(data_root):
    ours, ref = make('udp-combined')
    keypoints, visible = real_instances(data_root)
    targets = np.stack([ref.encode(k[None], v[None])['heatmaps']
                        for k, v in zip(keypoints, visible)])
    rng = np.random.default_rng(3)
    offsets = rng.normal(0, 0.3, targets.shape).astype(np.float32)
    offsets[:, ::3] = smooth_heatmaps(rng, len(targets))
    for maps in (targets, offsets, np.zeros_like(targets)):
        compare_decode(ours, ref, maps)


def noise_heatmaps(rng, count, channels, size):
    """Noise-like maps, where the Newton step amplifies the last bits of its inputs without
    bound: uniform, Gaussian, and Gaussian with per-map magnitudes from 1e-20 to 1e20."""
    w, h = size
    shape = (count, channels, h, w)
    magnitude = 10.0**rng.integers(-20, 21, (count, channels, 1, 1))
    maps = (rng.uniform(size=shape), rng.normal(size=shape), rng.normal(size=shape) * magnitude)
    return np.concatenate(maps).astype(np.float32)


@pytest.mark.parametrize('size', SIZES, ids=lambda s: f'{s[0]}x{s[1]}')
@pytest.mark.parametrize('name', ['msra-s2', 'dark', 'udp', 'udp-combined'])
def test_decode_equals_mmpose_on_any_heatmaps(name, size, data_root):
    """Noise, smooth, all-zero, negative, constant, border maxima and real targets at every
    heatmap size: <= 1e-4 px and scores <= 1e-6 from mmpose, through decode and batch_decode."""
    ours, ref = make(name, size)
    channels = 17 * 3 if name == 'udp-combined' else 17
    keypoints, visible = real_instances(data_root)
    keypoints = keypoints[::4] * np.array(ours.input_size, dtype=np.float32) / INPUT
    targets = np.stack([ref.encode(k[None], v[None])['heatmaps']
                        for k, v in zip(keypoints, visible[::4], strict=True)])
    for seed in range(3):
        rng = np.random.default_rng(10 + seed)
        compare_decode(ours, ref, np.concatenate([
            noise_heatmaps(rng, 4, channels, size), smooth_heatmaps(rng, 4, channels, size=size),
            edge_cases(channels, size)]))
    compare_decode(ours, ref, targets)


@pytest.mark.parametrize('name', ['msra-s2', 'dark', 'udp'])
def test_multi_instance_encode_takes_the_maximum(name):
    """Two instances in one call draw the pixel-wise maximum of their single heatmaps."""
    ours, _ = make(name)
    rng = np.random.default_rng(4)
    kpts = rng.uniform(0, 190, (2, 17, 2)).astype(np.float32)
    vis = np.ones((2, 17), dtype=np.float32)
    both = ours.encode(kpts, vis)['heatmaps']
    singles = [ours.encode(kpts[i:i + 1], vis[i:i + 1])['heatmaps'] for i in range(2)]
    np.testing.assert_allclose(both, np.maximum(*singles), atol=1e-7)


def test_round_trip_recovers_keypoints():
    """Encode then decode returns the keypoints: within the quarter-pixel rule for MSRA (one
    heatmap pixel = 4 input pixels: error <= 2 px), to a few hundredths of a pixel for DARK; UDP's
    blur of the truncated Gaussian and log clipping at 1e-3 leave < 1 px (a quarter heatmap
    pixel), exactly as mmpose's UDP decoder does."""
    rng = np.random.default_rng(5)
    kpts = rng.uniform(20, 170, (1, 17, 2)).astype(np.float32)
    for name, tol in (('msra-s2', 2.0), ('dark', 0.05), ('udp', 1.0)):
        ours, ref = make(name)
        heatmaps = ours.encode(kpts)['heatmaps']
        decoded, scores = ours.decode(heatmaps)
        assert np.abs(decoded - kpts).max() <= tol, name
        np.testing.assert_allclose(decoded, ref.decode(heatmaps)[0], atol=1e-4)
        assert scores.min() > 0.9


@pytest.mark.parametrize('bad,match', [
    (dict(keypoints=np.zeros((17, 2))), r'keypoints must have shape \(N, K, 2\), got \(17, 2\)'),
    (dict(keypoints=np.zeros((1, 17, 2)), keypoints_visible=np.ones((1, 16))),
     r'keypoints_visible must have shape \(1, 17\)'),
])
def test_bad_keypoints_are_named(bad, match):
    ours, _ = make('msra-s2')
    with pytest.raises(ValueError, match=match):
        ours.encode(**bad)


@pytest.mark.parametrize('kwargs,match', [
    (dict(sigma=0), 'sigma must be > 0, got 0'),
    (dict(sigma=2, blur_kernel_size=4), 'blur_kernel_size must be a positive odd integer'),
    (dict(sigma=2, heatmap_size=(48, )), r'heatmap_size must be \[W, H\]'),
])
def test_bad_codec_arguments(kwargs, match):
    kw = dict(input_size=INPUT, heatmap_size=HEATMAP)
    kw.update(kwargs)
    with pytest.raises(ValueError, match=match):
        MSRAHeatmap(**kw)
