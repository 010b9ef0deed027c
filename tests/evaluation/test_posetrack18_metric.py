"""PoseTrack18 mAP (poseval protocol) on the real PoseTrack18 sample and on synthetic frames.

Expected values are computed by hand from the annotations (counts of annotated joints, with the
ignore-region test done point by point with shapely as an independent reference), never from
the code under test.
"""
import json
from typing import Dict, List

import numpy as np
import pytest
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from shapely.geometry import Point, Polygon

from hrnet_plugin.evaluation.functional import (
    POSETRACK18_EVAL_KEYPOINTS,
    POSETRACK18_KEYPOINTS,
    average_precision,
    match_frame,
    points_in_polygons,
)
from hrnet_plugin.evaluation.metrics import PoseTrack18Metric  # importing registers it

from ..conftest import DATA_ROOT

DATA = DATA_ROOT / 'posetrack18'
ANN_FILE = DATA / 'annotations' / 'test_posetrack18_val.json'
ANN_DIR = DATA / 'annotations' / 'val'
GROUPS = ('Head AP', 'Shou AP', 'Elb AP', 'Wri AP', 'Hip AP', 'Knee AP', 'Ankl AP', 'Total AP')
EVAL_IDX = [POSETRACK18_KEYPOINTS.index(name) for name in POSETRACK18_EVAL_KEYPOINTS]


@pytest.fixture(scope='module')
def dataset_meta() -> dict:
    return parse_pose_metainfo({'from_file': 'configs/_base_/datasets/posetrack18.py'})


@pytest.fixture(scope='module')
def coco() -> dict:
    return json.loads(ANN_FILE.read_text())


def _kpts(ann: dict) -> np.ndarray:
    """(17, 3) keypoints of an annotation."""
    return np.asarray(ann['keypoints'], dtype=np.float64).reshape(17, 3)


def _gt_samples(annotations: List[dict], seed: int = 0) -> List[dict]:
    """Data samples a top-down estimator would emit if it predicted the ground truth.

    Annotated joints get seeded scores in [0.5, 1); unannotated ones (a model always outputs
    all 17) sit at the person's centroid with scores below 0.1, so they rank after every
    annotated joint and, being false positives, cannot lower the AP.
    """
    rng = np.random.default_rng(seed)
    samples = []
    for ann in annotations:
        kpts = _kpts(ann)
        annotated = kpts[:, 2] > 0
        xy = kpts[:, :2].copy()
        xy[~annotated] = xy[annotated].mean(0) + rng.normal(0, 3, (int((~annotated).sum()), 2))
        scores = np.where(annotated, rng.uniform(0.5, 1.0, 17), rng.uniform(0.0, 0.1, 17))
        samples.append({
            'id': ann['id'], 'img_id': ann['image_id'],
            'pred_instances': {'keypoints': xy[None], 'keypoint_scores': scores[None]},
            'gt_instances': {'bbox_scores': np.ones(1)},
        })
    return samples


def _evaluate(samples: List[dict], dataset_meta: dict, **kwargs) -> Dict[str, float]:
    metric = PoseTrack18Metric(ann_file=str(ANN_FILE), **kwargs)
    metric.dataset_meta = dataset_meta
    metric.process([], samples)
    return metric.compute_metrics(metric.results)


def _counted(coco: dict) -> Dict[int, np.ndarray]:
    """Per annotation id: (15,) bool, annotated scored joints outside the ignore regions."""
    images = {image['id']: image for image in coco['images']}
    counted = {}
    for ann in coco['annotations']:
        image = images[ann['image_id']]
        polygons = [Polygon(list(zip(x, y)))
                    for x, y in zip(image['ignore_regions_x'], image['ignore_regions_y'])]
        kpts = _kpts(ann)
        counted[ann['id']] = np.array([
            kpts[j].any() and not any(p.contains(Point(kpts[j, 0], kpts[j, 1])) for p in polygons)
            for j in EVAL_IDX])
    return counted


def _group_means(joint_ap: np.ndarray) -> Dict[str, float]:
    """Hand mapping of the 15 joints (annotation order, ears removed) onto poseval's groups."""
    groups = {'Head AP': [0, 1, 2], 'Shou AP': [3, 4], 'Elb AP': [5, 6], 'Wri AP': [7, 8],
              'Hip AP': [9, 10], 'Knee AP': [11, 12], 'Ankl AP': [13, 14]}
    result = {name: float(np.mean(joint_ap[idx])) for name, idx in groups.items()}
    result['Total AP'] = float(np.mean(joint_ap))
    return result


def test_ground_truth_as_prediction_scores_100(coco, dataset_meta):
    result = _evaluate(_gt_samples(coco['annotations']), dataset_meta)
    assert list(result) == list(GROUPS)
    assert result == pytest.approx(dict.fromkeys(GROUPS, 100.0))


@pytest.mark.parametrize('nms_mode', ['oks_nms', 'none'])
def test_duplicates_are_suppressed_by_oks_nms(coco, dataset_meta, nms_mode):
    # Every person is predicted twice; the copy is 1 px off with 0.9x the keypoint scores.
    samples = _gt_samples(coco['annotations'])
    copies = [{**s, 'id': -s['id'], 'pred_instances': {
        'keypoints': s['pred_instances']['keypoints'] + 1.0,
        'keypoint_scores': 0.9 * s['pred_instances']['keypoint_scores']}} for s in samples]
    result = _evaluate(samples + copies, dataset_meta, nms_mode=nms_mode)
    if nms_mode == 'oks_nms':
        assert result == pytest.approx(dict.fromkeys(GROUPS, 100.0))
    else:  # unmatched copies are FPs interleaved with the TPs
        assert all(value < 100.0 for value in result.values())


def test_missing_person_lowers_ap_by_its_share_of_positives(coco, dataset_meta):
    counted = _counted(coco)
    positives = np.sum(list(counted.values()), axis=0)  # (15,) N_j
    assert positives.min() > 0
    dropped = max(coco['annotations'], key=lambda ann: counted[ann['id']].sum())
    missing = counted[dropped['id']]  # (15,) m_j
    kept = [ann for ann in coco['annotations'] if ann is not dropped]
    result = _evaluate(_gt_samples(kept), dataset_meta)
    # All remaining detections are TPs ranked before the FPs: precision 1 up to recall
    # (N_j - m_j) / N_j, so the all-point interpolated AP is exactly that recall.
    expected = _group_means(100.0 * (positives - missing) / positives)
    assert result == pytest.approx(expected)
    assert result['Total AP'] < 100.0


@pytest.mark.parametrize(('factor', 'rank', 'expected'), [
    (0.98, 'first', lambda n: 1.0),              # within 0.5 head sizes: still a TP
    (1.02, 'last', lambda n: (n - 1) / n),       # FP ranked last: recall stops at (N-1)/N
    (1.02, 'first', lambda n: ((n - 1) / n) ** 2),  # FP ranked first: envelope (N-1)/N too
])
def test_joint_shift_against_half_head_size(coco, dataset_meta, factor, rank, expected):
    joint = POSETRACK18_KEYPOINTS.index('left_wrist')
    column = POSETRACK18_EVAL_KEYPOINTS.index('left_wrist')
    counted = _counted(coco)
    num_pos = int(sum(c[column] for c in counted.values()))
    target = next(ann for ann in coco['annotations'] if counted[ann['id']][column])
    samples = _gt_samples(coco['annotations'])
    sample = next(s for s in samples if s['id'] == target['id'])
    _, _, w, h = target['bbox_head']
    head_size = 0.6 * np.hypot(w, h)
    sample['pred_instances']['keypoints'][0, joint, 0] += factor * 0.5 * head_size
    sample['pred_instances']['keypoint_scores'][0, joint] = 1.0 if rank == 'first' else 0.3
    image = next(im for im in coco['images'] if im['id'] == target['image_id'])
    moved = Point(*sample['pred_instances']['keypoints'][0, joint])
    assert not any(Polygon(list(zip(x, y))).contains(moved)
                   for x, y in zip(image['ignore_regions_x'], image['ignore_regions_y']))

    result = _evaluate(samples, dataset_meta)
    joint_ap = np.full(15, 100.0)
    joint_ap[column] = 100.0 * expected(num_pos)
    assert result == pytest.approx(_group_means(joint_ap))


def _synthetic_person(x0: float, y0: float, track_id: int) -> dict:
    """A person with 15 annotated joints on a grid at (x0, y0), head box 20 x 20."""
    kpts = np.zeros((17, 3))
    for i, j in enumerate(EVAL_IDX):
        kpts[j] = (x0 + 10 * (i % 5), y0 + 12 * (i // 5), 1)
    return {'id': track_id + 1, 'image_id': 1, 'track_id': track_id, 'category_id': 1,
            'keypoints': kpts.ravel().tolist(), 'bbox_head': [x0, y0 - 25, 20, 20]}


@pytest.mark.parametrize('with_region', [True, False])
def test_predictions_in_ignore_region_are_removed(tmp_path, with_region):
    # Region: the square (500, 700) x (0, 200). Person B's annotated left wrist lies in it.
    persons = [_synthetic_person(100, 100, 0), _synthetic_person(300, 100, 1)]
    wrist = POSETRACK18_KEYPOINTS.index('left_wrist')
    b_kpts = np.asarray(persons[1]['keypoints']).reshape(17, 3)
    b_kpts[wrist, :2] = (550, 100)
    persons[1]['keypoints'] = b_kpts.ravel().tolist()
    image = {'id': 1, 'file_name': 'images/val/000001_synthetic/000000.jpg'}
    if with_region:
        image.update(ignore_regions_x=[[500, 700, 700, 500]], ignore_regions_y=[[0, 0, 200, 200]])
    ann_file = tmp_path / 'synthetic.json'
    ann_file.write_text(json.dumps({'images': [image], 'annotations': persons}))

    def sample(ann_id: int, xy: np.ndarray, score: float) -> dict:
        return {'id': ann_id, 'img_id': 1, 'pred_instances': {
            'keypoints': xy[None], 'keypoint_scores': np.full((1, 17), score)}}

    pred_a = np.asarray(persons[0]['keypoints']).reshape(17, 3)[:, :2]
    pred_b = b_kpts[:, :2].copy()
    pred_b[wrist] = (600, 150)  # 58 px off (> 0.5 x 17 px head size), still inside the region
    rng = np.random.default_rng(0)
    ghost = np.column_stack([rng.uniform(510, 690, 17), rng.uniform(10, 190, 17)])
    samples = [sample(1, pred_a, 0.6), sample(2, pred_b, 0.5), sample(3, ghost, 0.9)]
    metric = PoseTrack18Metric(ann_file=str(ann_file), nms_mode='none')
    metric.process([], samples)
    result = metric.compute_metrics(metric.results)

    if with_region:
        # The ghost and both left wrists of B vanish: every remaining detection is a TP.
        assert result == pytest.approx(dict.fromkeys(GROUPS, 100.0))
    else:
        # Per joint, N = 2 and ranked detections ghost (FP), A (TP), B (TP): precision 0, 1/2,
        # 2/3 at recall 0, 1/2, 1 -> AP 2/3. Left wrist: ghost (FP), A (TP), B (FP):
        # precision 0, 1/2, 1/3 at recall 0, 1/2, 1/2 -> AP 1/2 * 1/2 = 1/4.
        joint_ap = np.full(15, 200.0 / 3)
        joint_ap[POSETRACK18_EVAL_KEYPOINTS.index('left_wrist')] = 25.0
        assert result == pytest.approx(_group_means(joint_ap))


def test_average_precision_and_ignore_test_by_hand():
    # Ranked labels F, T, T with two positives: precision 0, 1/2, 2/3 -> AP 2/3.
    assert average_precision(np.array([0.9, 0.8, 0.7]), np.array([0, 1, 1], bool), 2) == (
        pytest.approx(2 / 3))
    assert average_precision(np.array([0.9]), np.array([True]), 4) == pytest.approx(0.25)
    assert average_precision(np.zeros(0), np.zeros(0, bool), 3) == 0.0
    assert average_precision(np.zeros(0), np.zeros(0, bool), 0) == 0.0  # as poseval
    assert np.isnan(average_precision(np.array([0.5]), np.array([False]), 0))
    square = [np.array([[0, 0], [10, 0], [10, 10], [0, 10]])]
    points = np.array([[5, 5], [10, 5], [15, 5]])  # inside, on the boundary, outside
    assert points_in_polygons(points, square).tolist() == [True, False, False]


def test_matching_is_poseval_greedy_not_hungarian():
    # Two overlapping persons sharing joints 0-4; 10 annotated joints each, head size 1.
    gt = np.zeros((2, 10, 2))
    gt[0, :, 0] = np.arange(10) * 10
    gt[1, :5, 0] = gt[0, :5, 0]
    gt[1, 5:, 1] = 100 + np.arange(5) * 10
    far = np.full(2, 1000.0)
    p0, p1 = gt[0].copy(), gt[0].copy()
    p0[6:] = far  # correct on 6/10 of person 0 and 5/10 of person 1
    p1[7:] = far  # correct on 7/10 of person 0 and 5/10 of person 1
    labels = match_frame(np.stack([p0, p1]), np.ones((2, 10), bool), gt, np.ones((2, 10), bool),
                         np.ones(2))
    # poseval: both predictions keep person 0 (their best), person 0 takes p1 (0.7 > 0.6), and
    # p0 stays unmatched, so all its joints are FPs. An optimal (Hungarian) assignment would
    # pair p0 with person 1 and score its joints 0-4 as TPs instead.
    assert labels.tolist() == [[False] * 10, [True] * 7 + [False] * 3]


def test_registry_build_directory_ann_file_and_result_files(coco, dataset_meta, tmp_path):
    from mmpose.registry import METRICS

    metric = METRICS.build({'type': 'hrnet_plugin.PoseTrack18Metric', 'ann_file': str(ANN_DIR),
                            'outfile_prefix': str(tmp_path / 'results' / 'pred')})
    assert isinstance(metric, PoseTrack18Metric)
    metric.dataset_meta = dataset_meta
    samples = _gt_samples(coco['annotations'])
    metric.process([], samples)
    result = metric.evaluate(len(samples))
    # The key mmpose's PoseTrack18 configs select checkpoints with.
    assert result['posetrack18/Total AP'] == pytest.approx(100.0)
    assert result == pytest.approx({f'posetrack18/{k}': 100.0 for k in GROUPS})

    written = sorted(p.name for p in (tmp_path / 'results').glob('*.json'))
    assert written == sorted(p.name for p in ANN_DIR.glob('*.json'))
    video = json.loads((tmp_path / 'results' / '009473_mpii_test.json').read_text())
    assert [im['id'] for im in video['images']] == [10094730000]
    assert len(video['annotations']) == 2
    assert all(len(a['keypoints']) == 51 and len(a['scores']) == 17
               for a in video['annotations'])


def test_bad_ann_file_names_file_and_field(tmp_path):
    missing = tmp_path / 'absent.json'
    with pytest.raises(FileNotFoundError, match='absent.json'):
        PoseTrack18Metric(ann_file=str(missing))
    with pytest.raises(FileNotFoundError, match='no PoseTrack18'):
        PoseTrack18Metric(ann_file=str(tmp_path))
    broken = tmp_path / 'broken.json'
    broken.write_text('{"images": [')
    with pytest.raises(ValueError, match='broken.json is not valid json: Expecting value'):
        PoseTrack18Metric(ann_file=str(broken))
    for field in ('annotations', 'images'):
        content = {'images': [], 'annotations': []}
        del content[field]
        path = tmp_path / f'no_{field}.json'
        path.write_text(json.dumps(content))
        with pytest.raises(ValueError, match=f'no_{field}.json.*"{field}"'):
            PoseTrack18Metric(ann_file=str(path))
    twice = tmp_path / 'twice'
    twice.mkdir()
    for name in ('a.json', 'b.json'):
        (twice / name).write_text((ANN_DIR / '003418_mpii_test.json').read_text())
    with pytest.raises(ValueError, match=r'b\.json: field "images" repeats image id'):
        PoseTrack18Metric(ann_file=str(twice))
    headless = tmp_path / 'headless.json'
    person = _synthetic_person(0, 0, 0)
    del person['bbox_head']
    headless.write_text(json.dumps({'images': [{'id': 1, 'file_name': 'a/b/0.jpg'}],
                                    'annotations': [person]}))
    with pytest.raises(ValueError, match='headless.json.*bbox_head'):
        PoseTrack18Metric(ann_file=str(headless))


def test_process_requires_pred_instances():
    metric = PoseTrack18Metric(ann_file=str(ANN_FILE))
    with pytest.raises(ValueError, match='pred_instances'):
        metric.process([], [{'id': 1, 'img_id': 10094730000}])
