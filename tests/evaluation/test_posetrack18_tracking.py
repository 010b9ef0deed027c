"""PoseTrack18 result files scored with mAP and MOTA (``evaluate_posetrack18_results``), and
``PoseTrack18Metric`` with tracking, on small hand-made videos.

Persons hold the 15 scored joints on a grid, 40 pixels apart; their head boxes are 3 x 4
pixels (head size exactly 3), so a joint is matched only by a prediction within 1.5 pixels.
"""
import copy
import json
import re
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import pytest
from mmpose.datasets.datasets.utils import parse_pose_metainfo

from hrnet_plugin.evaluation import (
    PoseTrack18Metric,
    evaluate_posetrack18_results,
    load_posetrack18_results,
    posetrack18_report,
    posetrack18_tables,
)
from hrnet_plugin.evaluation.functional import POSETRACK18_EVAL_KEYPOINTS, POSETRACK18_KEYPOINTS

EVAL_IDX = [POSETRACK18_KEYPOINTS.index(name) for name in POSETRACK18_EVAL_KEYPOINTS]
NUM_FRAMES = 5


def person_keypoints(x0: float, y0: float) -> np.ndarray:
    """(17, 3): the 15 scored joints on a 5 x 3 grid at (x0, y0), visibility 1; no ears."""
    kpts = np.zeros((17, 3))
    for i, j in enumerate(EVAL_IDX):
        kpts[j] = (x0 + 40 * (i % 5), y0 + 40 * (i // 5), 1)
    return kpts


def ground_truth(video: int = 1) -> dict:
    """Video ``00000<video>_test`` of NUM_FRAMES frames (image ids ``1000 * video + frame``):
    persons 0 and 1 walk right by 4 px a frame, far apart."""
    sequence = f'{video:06d}_test'
    images, annotations = [], []
    for frame in range(NUM_FRAMES):
        image_id = 1000 * video + frame
        images.append({'id': image_id, 'file_name': f'images/val/{sequence}/{frame:06d}.jpg'})
        for track_id, y0 in ((0, 100), (1, 400)):
            annotations.append({
                'id': image_id * 10 + track_id, 'image_id': image_id, 'track_id': track_id,
                'keypoints': person_keypoints(100 + 4 * frame, y0).ravel().tolist(),
                'bbox_head': [100, y0 - 30, 3, 4]})
    return {'images': images, 'annotations': annotations, 'categories': [
        {'id': 1, 'name': 'person', 'keypoints': list(POSETRACK18_KEYPOINTS)}]}


def as_prediction(gt: dict, track_ids: Optional[Dict[int, int]] = None) -> dict:
    """The ground truth as a result file: keypoints kept (absent joints stay (0, 0, 0)),
    ``scores`` from the visibility, track ids renamed by ``track_ids``."""
    pred = copy.deepcopy(gt)
    for ann in pred['annotations']:
        ann['scores'] = ann['keypoints'][2::3]
        ann['track_id'] = (track_ids or {}).get(ann['track_id'], ann['track_id'] + 7)
        del ann['bbox_head']
    return pred


def write_case(root: Path, gt: dict, pred: dict, name: str = '000001_test') -> Path:
    for folder, content in (('gt', gt), ('pred', pred)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / f'{name}.json').write_text(json.dumps(content))
    return root


def score(root: Path) -> Dict[str, float]:
    return evaluate_posetrack18_results(root / 'gt', root / 'pred')['summary']


def test_ground_truth_as_prediction_scores_100(tmp_path):
    gt = ground_truth()
    results = evaluate_posetrack18_results(write_case(tmp_path, gt, as_prediction(gt)) / 'gt',
                                           tmp_path / 'pred')
    summary = results['summary']
    for name in ('Total AP', 'Total MOTA', 'Total MOTP', 'Total Precision', 'Total Recall'):
        assert summary[name] == pytest.approx(100), name
    # 4 scored frames (the last is not) x 2 persons per joint type.
    assert results['counts'][:, 3].tolist() == [8] * 15
    report = posetrack18_report(results)
    assert report['mAP'] == report['MOTA'] == pytest.approx(100)
    assert report['per_joint']['MOTA']['left_wrist'] == pytest.approx(100)
    assert report['counts']['objects']['nose'] == 8
    tables = posetrack18_tables(results)
    assert '& MOTA &' in tables and '100.0' in tables and 'left_wrist' in tables


def test_removed_person_swapped_ids_and_unlabelled_frames(tmp_path):
    gt = ground_truth()
    pred = as_prediction(gt)
    # Frame 1: person 1 missing (15 misses); frames 2-4: ids 7 and 8 swapped for good (2
    # switches per joint type, at frame 2). Frame 4, the last, is never scored.
    pred['annotations'] = [a for a in pred['annotations']
                           if not (a['image_id'] == 1001 and a['track_id'] == 8)]
    for ann in pred['annotations']:
        if ann['image_id'] >= 1002:
            ann['track_id'] = 15 - ann['track_id']
    expected = 100 * (1 - (1 + 2) / 8)
    assert score(write_case(tmp_path / 'a', gt, pred))['Total MOTA'] == pytest.approx(expected)
    # Without ground-truth persons frame 3 is not evaluated; the last evaluated frame, 4, is
    # not scored: frames 0-2 remain, 6 objects.
    unlabelled = copy.deepcopy(gt)
    unlabelled['annotations'] = [a for a in gt['annotations'] if a['image_id'] != 1003]
    summary = score(write_case(tmp_path / 'b', unlabelled, pred))
    assert summary['Total MOTA'] == pytest.approx(100 * (1 - 3 / 6))
    assert summary['Total Recall'] == pytest.approx(100 * 5 / 6)


def test_keypoints_are_read_by_name_and_absent_joints_skipped(tmp_path):
    gt = ground_truth()
    pred = as_prediction(gt)
    order = list(reversed(POSETRACK18_KEYPOINTS))
    for ann in pred['annotations']:
        kpts = np.asarray(ann['keypoints']).reshape(17, 3)
        ann['keypoints'] = kpts[::-1].ravel().tolist()
        ann['scores'] = ann['scores'][::-1]
    pred['categories'][0]['keypoints'] = order
    assert score(write_case(tmp_path, gt, pred))['Total MOTA'] == pytest.approx(100)
    frames = load_posetrack18_results(tmp_path / 'pred' / '000001_test.json')
    assert len(frames) == NUM_FRAMES
    # The ears are stored as (0, 0, 0): absent.
    ears = [POSETRACK18_KEYPOINTS.index('left_ear'), POSETRACK18_KEYPOINTS.index('right_ear')]
    assert not frames[0].present[:, ears].any() and frames[0].present[:, EVAL_IDX].all()


def _error(tmp_path: Path, gt: dict, pred: dict, name: str = '000001_test') -> str:
    root = write_case(tmp_path, gt, pred, name)
    with pytest.raises((ValueError, FileNotFoundError)) as info:
        evaluate_posetrack18_results(root / 'gt', root / 'pred')
    return str(info.value)


def _edited(edit) -> dict:
    pred = as_prediction(ground_truth())
    edit(pred)
    return pred


BAD_PREDICTIONS: List = [
    (lambda p: p['annotations'][3].pop('track_id'), r'frame 1 \(".*000001.jpg"\), annotation 1: '
     r'field "track_id" must be an integer, got None'),
    (lambda p: p['annotations'][3].update(track_id=7), r'frame 1 .*field "track_id": ids \[7\] '
     'are used by several persons'),
    (lambda p: p['annotations'][0].update(track_id=1.5), 'track_id" must be an integer, got 1.5'),
    (lambda p: p['annotations'][0].update(keypoints=[1, 2, 3]),
     r'frame 0 .*annotation 0: field "keypoints" must hold 17 x 3 values, got 3'),
    (lambda p: p['annotations'][2].update(scores=[0.5]),
     r'frame 1 .*annotation 0: field "scores" must hold 17'),
    (lambda p: p.update(images=p['images'][:4], annotations=p['annotations'][:8]),
     r'field "images" has 4 frames but the ground truth of the video has 5'),
    (lambda p: p['images'][2].update(file_name='x/000009.jpg'),
     r'frame 2: field "file_name" is "x/000009.jpg" but the ground truth has'),
    (lambda p: p['categories'][0].update(keypoints=['nose']),
     r'"categories"\[0\]\["keypoints"\] lacks the scored joints \[\'head_bottom\''),
    (lambda p: p['annotations'].append({'image_id': 5}), r'unknown image ids \[5\]'),
]


@pytest.mark.parametrize('edit, message', BAD_PREDICTIONS)
def test_bad_result_files_name_the_file_frame_and_field(tmp_path, edit, message):
    text = _error(tmp_path, ground_truth(), _edited(edit))
    assert '000001_test.json' in text
    assert re.search(message, text), text


def test_missing_video_and_ground_truth_track_ids(tmp_path):
    gt = ground_truth()
    root = write_case(tmp_path / 'a', gt, as_prediction(gt))
    (root / 'gt' / '000002_test.json').write_text(json.dumps(ground_truth(2)))
    with pytest.raises(FileNotFoundError, match='000002_test.json: the result file of video '
                       '000002_test is missing'):
        evaluate_posetrack18_results(root / 'gt', root / 'pred')
    no_ids = copy.deepcopy(gt)
    del no_ids['annotations'][0]['track_id']
    assert 'annotation 10000: field "track_id" must be an integer' in _error(
        tmp_path / 'b', no_ids, as_prediction(gt))


@pytest.fixture(scope='module')
def dataset_meta() -> dict:
    return parse_pose_metainfo({'from_file': 'configs/_base_/datasets/posetrack18.py'})


def _metric_samples(gt: dict, skip: tuple = ()) -> List[dict]:
    """Top-down data samples that predict the ground truth (all 17 joints: the ears sit on
    the nose, unannotated, so they are not scored), leaving out (image id, track id) pairs."""
    samples = []
    for ann in gt['annotations']:
        if (ann['image_id'], ann['track_id']) in skip:
            continue
        kpts = np.asarray(ann['keypoints'], float).reshape(17, 3)
        kpts[[3, 4], :2] = kpts[0, :2]
        samples.append({'id': ann['id'], 'img_id': ann['image_id'], 'pred_instances': {
            'keypoints': kpts[None, :, :2], 'keypoint_scores': np.full((1, 17), 0.9)},
            'gt_instances': {'bbox_scales': np.array([[200.0, 120.0]])}})
    return samples


def test_metric_links_poses_into_tracks(tmp_path, dataset_meta):
    gt = ground_truth()
    ann_file = tmp_path / 'gt.json'
    ann_file.write_text(json.dumps(gt))
    metric = PoseTrack18Metric(ann_file=str(ann_file), tracking=True, nms_mode='none',
                               outfile_prefix=str(tmp_path / 'out' / 'p'))
    metric.dataset_meta = dataset_meta
    # Person 1 undetected in frames 1 and 2: its track survives (max_age 5), so the gap
    # costs 2 x 15 misses and no switch.
    metric.process([], _metric_samples(gt, skip=((1001, 1), (1002, 1))))
    result = metric.compute_metrics(metric.results)
    assert result['Total AP'] == pytest.approx(100 * 8 / 10)  # recall 8/10, precision 1
    assert result['Total MOTA'] == pytest.approx(100 * (1 - 2 / 8))
    assert result['Total Precision'] == pytest.approx(100)
    written = json.loads((tmp_path / 'out' / '000001_test.json').read_text())
    ids = {(a['image_id'], a['track_id']) for a in written['annotations']}
    assert ids == {(1000, 0), (1000, 1), (1001, 0), (1002, 0), (1003, 0), (1003, 1),
                   (1004, 0), (1004, 1)}
    # A track must resume within track_max_age frames: with 1, person 1 comes back as new.
    short = PoseTrack18Metric(ann_file=str(ann_file), tracking=True, nms_mode='none',
                              track_max_age=1)
    short.dataset_meta = dataset_meta
    short.process([], _metric_samples(gt, skip=((1001, 1), (1002, 1))))
    assert short.compute_metrics(short.results)['Total MOTA'] == pytest.approx(
        100 * (1 - 3 / 8))
    with pytest.raises(ValueError, match='sigmas'):
        PoseTrack18Metric(ann_file=str(ann_file), tracking=True, nms_mode='none'
                          ).compute_metrics(metric.results)
