"""MPII PCKh with mmpose's ``MpiiDataset`` + ``MpiiPCKAccuracy`` and our head-box ``.mat`` files.

The shared MPII sample (5 persons) has no ``mpii_gt_val.mat``. As a test fixture, each person
gets a square head box centred between joints 8 (upper_neck) and 9 (head_top), with side 1.1x
their distance, written to pytest's ``tmp_path``. Expected PCKh values are counted from the
annotation's ``joints_vis``, not taken from the code under test.
"""
import json
from typing import Dict, List

import numpy as np
import pytest
from mmpose.datasets import MpiiDataset
from mmpose.registry import METRICS
from scipy.io import loadmat, savemat

from hrnet_plugin.datasets import read_mpii_headbox_mat, write_mpii_headbox_mat

from ..conftest import DATA_ROOT

DATA = DATA_ROOT / 'mpii'
ANN_FILE = DATA / 'test_mpii.json'
UPPER_NECK, HEAD_TOP, RIGHT_ANKLE, LEFT_WRIST = 8, 9, 0, 15
PELVIS_THORAX = (6, 7)  # left out of MPII's total PCKh
SIDE_FACTOR = 1.1


@pytest.fixture(scope='module')
def annotations() -> List[dict]:
    return json.loads(ANN_FILE.read_text())


@pytest.fixture
def headboxes(annotations) -> np.ndarray:
    """(N, 2, 2) fixture head boxes [[x1, y1], [x2, y2]], one per annotated person."""
    joints = np.array([ann['joints'] for ann in annotations], dtype=np.float64)
    centre = (joints[:, UPPER_NECK] + joints[:, HEAD_TOP]) / 2
    side = SIDE_FACTOR * np.linalg.norm(joints[:, HEAD_TOP] - joints[:, UPPER_NECK], axis=-1)
    return np.stack([centre - side[:, None] / 2, centre + side[:, None] / 2], axis=1)


@pytest.fixture
def dataset(headboxes, tmp_path) -> MpiiDataset:
    headbox_file = write_mpii_headbox_mat(tmp_path / 'mpii_gt_val.mat', headboxes)
    return MpiiDataset(ann_file=ANN_FILE.name, data_root=str(DATA),
                       headbox_file=str(headbox_file), data_mode='topdown', pipeline=[],
                       test_mode=True)


def _pckh(dataset: MpiiDataset, shifts: Dict[int, float]) -> Dict[str, float]:
    """Run mmpose's MpiiPCKAccuracy on ground truth moved by ``shifts`` (joint -> head sizes).

    Data samples mirror what ``TopdownPoseEstimator`` emits after ``PackPoseInputs``: predicted
    keypoints in 0-based image pixels (the metric adds 1 to compare with MPII's 1-based ground
    truth) and ``gt_instances`` with ``keypoints``, ``keypoints_visible`` and ``head_size``.
    """
    metric = METRICS.build({'type': 'MpiiPCKAccuracy', 'norm_item': 'head'})
    samples = []
    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        pred = info['keypoints'].astype(np.float64) - 1.0
        for joint, factor in shifts.items():
            pred[0, joint, 0] += factor * float(info['head_size'][0, 0])
        samples.append({
            'pred_instances': {'keypoints': pred},
            'gt_instances': {key: info[key]
                             for key in ('keypoints', 'keypoints_visible', 'head_size')},
        })
    metric.process([], samples)
    return metric.evaluate(len(samples))


def test_headbox_mat_has_mpii_layout(headboxes, tmp_path):
    path = write_mpii_headbox_mat(tmp_path / 'boxes.mat', headboxes)
    stored = loadmat(path)['headboxes_src']
    assert stored.shape == (2, 2, len(headboxes))
    # headboxes_src[:, :, n] = [[x1, y1], [x2, y2]] of person n.
    np.testing.assert_array_equal(stored[:, :, 3], headboxes[3])
    np.testing.assert_array_equal(read_mpii_headbox_mat(path), headboxes)
    single = write_mpii_headbox_mat(tmp_path / 'one.mat', headboxes[:1])
    np.testing.assert_array_equal(read_mpii_headbox_mat(single), headboxes[:1])


def test_dataset_head_size_is_point_six_diagonal(dataset, annotations):
    joints = np.array([ann['joints'] for ann in annotations], dtype=np.float64)
    side = SIDE_FACTOR * np.linalg.norm(joints[:, HEAD_TOP] - joints[:, UPPER_NECK], axis=-1)
    head_sizes = [float(dataset.get_data_info(i)['head_size'][0, 0]) for i in range(len(dataset))]
    np.testing.assert_allclose(head_sizes, 0.6 * np.sqrt(2) * side, rtol=1e-6)


def test_ground_truth_as_prediction_is_perfect(dataset):
    result = _pckh(dataset, {})
    assert result == pytest.approx({
        'Head PCK': 100.0, 'Shoulder PCK': 100.0, 'Elbow PCK': 100.0, 'Wrist PCK': 100.0,
        'Hip PCK': 100.0, 'Knee PCK': 100.0, 'Ankle PCK': 100.0, 'PCK': 100.0,
        'PCK@0.1': 100.0})


def test_shifted_joints_give_hand_counted_pckh(dataset, annotations):
    # Left wrists move 0.6 head sizes (wrong at 0.5 and 0.1), right ankles 0.3 (wrong at 0.1).
    result = _pckh(dataset, {LEFT_WRIST: 0.6, RIGHT_ANKLE: 0.3})
    visible = np.array([ann['joints_vis'] for ann in annotations], dtype=bool)
    counted = np.delete(visible, PELVIS_THORAX, axis=1).sum()
    left_wrists, right_ankles = visible[:, LEFT_WRIST].sum(), visible[:, RIGHT_ANKLE].sum()
    # 5 persons x 14 counted joints, minus both ankles of the 2 persons whose ankles are hidden.
    assert (counted, left_wrists, right_ankles) == (66, 5, 3)
    assert result['PCK'] == pytest.approx(100.0 * (counted - left_wrists) / counted)
    assert result['PCK@0.1'] == pytest.approx(
        100.0 * (counted - left_wrists - right_ankles) / counted)
    assert result['Wrist PCK'] == pytest.approx(50.0)
    assert result['Ankle PCK'] == pytest.approx(100.0)
    assert result['Head PCK'] == pytest.approx(100.0)


def test_headbox_helpers_name_file_and_field(tmp_path, headboxes):
    with pytest.raises(ValueError, match=r'bad\.mat: headboxes_src.*shape \(5, 4\)'):
        write_mpii_headbox_mat(tmp_path / 'bad.mat', headboxes.reshape(5, 4))
    with pytest.raises(ValueError, match=r'boxes\.npy.*\.mat'):
        write_mpii_headbox_mat(tmp_path / 'boxes.npy', headboxes)
    with pytest.raises(ValueError, match=r'nan\.mat: headboxes_src has non-finite'):
        write_mpii_headbox_mat(tmp_path / 'nan.mat', np.full((1, 2, 2), np.nan))
    with pytest.raises(FileNotFoundError, match='absent.mat'):
        read_mpii_headbox_mat(tmp_path / 'absent.mat')
    garbage = tmp_path / 'garbage.mat'
    garbage.write_bytes(b'not a mat file at all')
    with pytest.raises(ValueError, match='garbage.mat: not a readable'):
        read_mpii_headbox_mat(garbage)
    zeros = tmp_path / 'zeros.mat'
    zeros.write_bytes(bytes(256))
    with pytest.raises(ValueError, match='zeros.mat: not a readable'):
        read_mpii_headbox_mat(zeros)
    other = tmp_path / 'other.mat'
    savemat(other, {'pos_gt_src': np.zeros((16, 2, 5))})
    with pytest.raises(ValueError, match="other.mat: variable 'headboxes_src' is missing"):
        read_mpii_headbox_mat(other)
    flat = tmp_path / 'flat.mat'
    savemat(flat, {'headboxes_src': np.zeros((4, 5))})
    with pytest.raises(ValueError, match=r'flat.mat: headboxes_src must have shape \(2, 2, N\)'):
        read_mpii_headbox_mat(flat)
