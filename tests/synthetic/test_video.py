"""Synthetic PoseTrack18 videos: layout, annotation format, true track ids, the motions they
are made for (entering, leaving, crossing, hiding), determinism and reuse."""
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmpose.structures.bbox import bbox_overlaps

from hrnet_plugin.evaluation import load_posetrack18_ground_truth
from hrnet_plugin.synthetic import generate_synthetic_videos
from hrnet_plugin.synthetic.__main__ import main
from hrnet_plugin.synthetic.video import POSETRACK18_NAMES

SIZE = (192, 144)  # W, H
ARGS = {'num_videos': 3, 'num_frames': 20, 'image_size': SIZE, 'seed': 0}


@pytest.fixture(scope='module')
def videos(tmp_path_factory) -> dict:
    return generate_synthetic_videos(tmp_path_factory.mktemp('videos') / 'data', **ARGS)


def _video(info: dict, name: str) -> dict:
    return json.loads((Path(info['ann_dir']) / f'{name}.json').read_text())


def _tracks(video: dict) -> dict:
    """{track id: {frame index: (17, 3) keypoints}}."""
    frame_of = {image['id']: index for index, image in enumerate(video['images'])}
    tracks: dict = {}
    for ann in video['annotations']:
        tracks.setdefault(ann['track_id'], {})[frame_of[ann['image_id']]] = np.asarray(
            ann['keypoints']).reshape(17, 3)
    return tracks


def test_layout_and_posetrack18_format(videos):
    assert videos['videos'] == ['000001_synthetic_val', '000002_synthetic_val',
                                '000003_synthetic_val']
    for index, name in enumerate(videos['videos']):
        frames = sorted((Path(videos['img_dir']) / name).iterdir())
        assert [p.name for p in frames] == [f'{i:06d}.jpg' for i in range(20)]
        assert cv2.imread(str(frames[0])).shape == (SIZE[1], SIZE[0], 3)
        video = _video(videos, name)
        assert video['categories'][0]['keypoints'] == list(POSETRACK18_NAMES)
        assert [image['id'] for image in video['images']] == [
            (index + 1) * 10000 + i for i in range(20)]
        assert {image['vid_id'] for image in video['images']} == {f'{index + 1:06d}'}
        for ann in video['annotations']:
            kpts = np.asarray(ann['keypoints']).reshape(17, 3)
            assert set(kpts[:, 2]) <= {0, 1}
            assert not kpts[3:5].any()  # PoseTrack18 never annotates the ears
            labelled = kpts[:, 2] == 1
            assert not kpts[~labelled].any()  # unlabelled joints are (0, 0, 0)
            assert (kpts[labelled, 0] >= 0).all() and (kpts[labelled, 0] <= SIZE[0] - 1).all()
            x, y, w, h = ann['bbox_head']
            assert w == h > 0
            # The head box holds the head top (keypoint 2) when it is labelled.
            if labelled[2]:
                assert x - 1 <= kpts[2, 0] <= x + w + 1 and y - 1 <= kpts[2, 1] <= y + h + 1
        # Track ids are unique in each frame.
        for image in video['images']:
            ids = [a['track_id'] for a in video['annotations'] if a['image_id'] == image['id']]
            assert len(ids) == len(set(ids))
    # The evaluation reads them as per-video ground truth with track ids.
    images = load_posetrack18_ground_truth(videos['ann_dir'], require_track_ids=True)
    assert len(images) == 60 and {i.sequence for i in images.values()} == set(videos['videos'])


def test_people_enter_leave_cross_and_hide(videos):
    entered = left = crossed = hidden = False
    for name in videos['videos']:
        video = _video(videos, name)
        tracks = _tracks(video)
        for frames in tracks.values():
            entered |= min(frames) > 0
            left |= max(frames) < 19
        # The first two walk towards each other: their order across the picture flips.
        common = sorted(set(tracks[0]) & set(tracks[1]))
        hips = [tracks[0][f][11, 0] - tracks[1][f][11, 0] for f in common]
        crossed |= min(hips) < 0 < max(hips)
        # Hiding: the boxes of two persons of a frame overlap by more than a third.
        for image in video['images']:
            boxes = np.array([a['bbox'] for a in video['annotations']
                              if a['image_id'] == image['id']], float).reshape(-1, 4)
            boxes[:, 2:] += boxes[:, :2]
            overlaps = bbox_overlaps(torch.from_numpy(boxes), torch.from_numpy(boxes)).numpy()
            np.fill_diagonal(overlaps, 0)
            hidden |= bool((overlaps > 1 / 3).any())
    assert entered and left and crossed and hidden


def test_detections_cover_the_frames(videos):
    detections = json.loads(Path(videos['detections']).read_text())
    ids = {d['image_id'] for d in detections}
    assert ids <= {(v + 1) * 10000 + f for v in range(3) for f in range(20)}
    assert len(ids) > 50
    assert all(d['category_id'] == 1 and len(d['bbox']) == 4 for d in detections)


def test_deterministic_and_reused(videos, tmp_path):
    again = generate_synthetic_videos(tmp_path / 'again', **ARGS)
    for name in videos['videos']:
        assert (Path(again['ann_dir']) / f'{name}.json').read_bytes() == (
            Path(videos['ann_dir']) / f'{name}.json').read_bytes()
        assert (Path(again['img_dir']) / name / '000007.jpg').read_bytes() == (
            Path(videos['img_dir']) / name / '000007.jpg').read_bytes()
    assert generate_synthetic_videos(tmp_path / 'again', **ARGS)['reused'] is True
    other = generate_synthetic_videos(tmp_path / 'other', **{**ARGS, 'seed': 1,
                                                             'num_videos': 1})
    assert (Path(other['ann_dir']) / '000001_synthetic_val.json').read_bytes() != (
        Path(videos['ann_dir']) / '000001_synthetic_val.json').read_bytes()


@pytest.mark.parametrize('kwargs, name', [
    ({'num_frames': 1}, 'num_frames'), ({'max_persons': 1}, 'max_persons'),
    ({'image_size': (32, 64)}, 'width'), ({'miss_rate': 1.5}, 'miss_rate')])
def test_bad_arguments(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        generate_synthetic_videos(tmp_path, **kwargs)


def test_command_line(tmp_path, capsys):
    main(['--videos', '1', '--out-dir', str(tmp_path / 'cli'), '--num-frames', '3',
          '--width', '96', '--height', '64', '--max-figures', '2'])
    info = json.loads(capsys.readouterr().out)
    assert info['videos'] == ['000001_synthetic_val'] and info['num_frames_total'] == 3
