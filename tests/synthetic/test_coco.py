"""The synthetic COCO person-keypoint dataset, as files (small datasets: a few seconds in all)."""
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmpose.datasets import CocoDataset
from xtcocotools.coco import COCO
from xtcocotools.cocoeval import COCOeval

from hrnet_plugin.synthetic import generate_synthetic_coco
from hrnet_plugin.synthetic.keypoints import (
    FLIP_INDICES,
    KEYPOINT_NAMES,
    L_EYE,
    L_HIP,
    L_SHOULDER,
    NOSE,
    R_EYE,
)
from hrnet_plugin.synthetic.scene import MIN_VISIBLE_KEYPOINTS

SIZE = (256, 192)  # W, H
ARGS = {'num_train': 8, 'num_val': 6, 'image_size': SIZE, 'seed': 0}
ANN_FIELDS = {'id', 'image_id', 'category_id', 'keypoints', 'num_keypoints', 'bbox', 'area',
              'iscrowd', 'segmentation'}


@pytest.fixture(scope='module')
def dataset(tmp_path_factory) -> dict:
    return generate_synthetic_coco(tmp_path_factory.mktemp('synth') / 'data', **ARGS)


def _load(path: str) -> dict:
    return json.loads(Path(path).read_text())


def _keypoints(coco: dict) -> np.ndarray:
    """(num_annotations, 17, 3) x, y, v."""
    return np.array([ann['keypoints'] for ann in coco['annotations']], float).reshape(-1, 17, 3)


def _file_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob('*') if p.is_file()}


def test_layout_schema_and_counts(dataset):
    assert dataset['reused'] is False
    for split, count in (('train', ARGS['num_train']), ('val', ARGS['num_val'])):
        coco = _load(dataset[f'{split}_ann'])
        assert len(coco['images']) == count == dataset[f'num_{split}_images']
        assert len(coco['annotations']) == dataset[f'num_{split}_instances'] >= count
        (category,) = coco['categories']
        assert category['id'] == 1 and category['name'] == 'person'
        assert category['keypoints'] == list(KEYPOINT_NAMES)
        assert len(category['keypoints']) == 17 and len(category['skeleton']) == 19
        assert [16, 14] in category['skeleton'] and [5, 7] in category['skeleton']
        image_ids = [image['id'] for image in coco['images']]
        assert len(set(image_ids)) == count
        for image in coco['images']:
            assert (image['width'], image['height']) == SIZE
            pixels = cv2.imread(str(Path(dataset[f'{split}_img_dir']) / image['file_name']))
            assert pixels.shape == (SIZE[1], SIZE[0], 3)
        assert len({ann['id'] for ann in coco['annotations']}) == len(coco['annotations'])
        for ann in coco['annotations']:
            assert set(ann) >= ANN_FIELDS
            assert ann['image_id'] in image_ids and ann['category_id'] == 1
            assert ann['iscrowd'] == 0 and len(ann['keypoints']) == 51
            visibility = np.array(ann['keypoints'][2::3])
            assert set(visibility) <= {0, 1, 2}
            assert ann['num_keypoints'] == (visibility > 0).sum()
            assert (visibility == 2).sum() >= MIN_VISIBLE_KEYPOINTS
            assert 0 < ann['area'] <= ann['bbox'][2] * ann['bbox'][3]
            assert ann['facing'] in ('front', 'back')


def test_keypoints_and_boxes_inside_image(dataset):
    for split in ('train', 'val'):
        coco = _load(dataset[f'{split}_ann'])
        keypoints = _keypoints(coco)
        labelled = keypoints[..., 2] > 0
        xy = keypoints[..., :2][labelled]
        assert (xy >= 0).all() and (xy <= np.array(SIZE) - 1).all()
        assert (keypoints[..., :2][~labelled] == 0).all()
        for ann, kpts in zip(coco['annotations'], keypoints):
            x, y, w, h = ann['bbox']
            assert x >= 0 and y >= 0 and x + w <= SIZE[0] and y + h <= SIZE[1]
            inside = kpts[kpts[:, 2] > 0, :2]
            # Keypoints are joint centres, on drawn pixels: within the box, up to rounding.
            assert (inside[:, 0] >= x - 1).all() and (inside[:, 0] <= x + w).all()
            assert (inside[:, 1] >= y - 1).all() and (inside[:, 1] <= y + h).all()


def test_visibility_classes_all_occur(dataset):
    visibility = np.concatenate([_keypoints(_load(dataset[f'{s}_ann']))[..., 2].ravel()
                                 for s in ('train', 'val')])
    assert {0, 1, 2} <= set(visibility.tolist())


def test_left_right_follow_the_facing_direction(dataset):
    """Facing the camera, a person's left is on the image right; from behind, on the left."""
    keypoints = np.concatenate([_keypoints(_load(dataset[f'{s}_ann'])) for s in ('train', 'val')])
    front = np.array([ann['facing'] == 'front' for s in ('train', 'val')
                      for ann in _load(dataset[f'{s}_ann'])['annotations']])
    assert 0 < front.sum() < len(front)
    for left in (L_SHOULDER, L_HIP):
        right = FLIP_INDICES[left]
        both = (keypoints[:, left, 2] > 0) & (keypoints[:, right, 2] > 0)
        dx = keypoints[both, left, 0] - keypoints[both, right, 0]
        assert (dx[front[both]] > 0).all() and (dx[~front[both]] < 0).all()


def test_back_view_face_is_labelled_hidden(dataset):
    coco = _load(dataset['train_ann'])
    keypoints = _keypoints(coco)
    back = np.array([ann['facing'] == 'back' for ann in coco['annotations']])
    face = keypoints[back][:, [NOSE, L_EYE, R_EYE], 2]
    assert back.any() and (face <= 1).all()


def test_val_detections(dataset):
    detections = _load(dataset['val_detections'])
    coco = _load(dataset['val_ann'])
    image_ids = {image['id'] for image in coco['images']}
    assert len(detections) >= len(coco['annotations'])
    for det in detections:
        assert set(det) == {'image_id', 'category_id', 'bbox', 'score'}
        assert det['image_id'] in image_ids and det['category_id'] == 1
        x, y, w, h = det['bbox']
        assert w > 0 and h > 0 and x >= 0 and y >= 0 and x + w <= SIZE[0] + 1e-6
        assert 0 < det['score'] <= 1


def test_deterministic_from_seed(dataset, tmp_path):
    first = _file_bytes(Path(dataset['out_dir']))
    again = generate_synthetic_coco(tmp_path / 'same', **ARGS)
    assert _file_bytes(Path(again['out_dir'])) == first
    other = generate_synthetic_coco(tmp_path / 'other', **{**ARGS, 'seed': 1})
    other_files = _file_bytes(Path(other['out_dir']))
    assert other_files.keys() == first.keys()
    for name in ('annotations/person_keypoints_train.json', 'images/val/000001.jpg'):
        assert other_files[name] != first[name]


def test_reuse_and_regeneration(tmp_path):
    out = tmp_path / 'data'
    small = {'num_train': 2, 'num_val': 1, 'image_size': (96, 96)}
    assert generate_synthetic_coco(out, **small)['reused'] is False
    (out / 'notes.txt').write_text('not ours')
    (out / 'images' / 'train' / 'extra.png').write_bytes(b'not ours either')
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob('*.j*')}
    reused = generate_synthetic_coco(out, **small)
    assert reused['reused'] is True and reused['num_train_images'] == 2
    assert {p: p.stat().st_mtime_ns for p in out.rglob('*.j*')} == stamps
    changed = generate_synthetic_coco(out, **{**small, 'num_val': 2})
    assert changed['reused'] is False and changed['num_val_images'] == 2
    assert len(_load(changed['val_ann'])['images']) == 2
    assert json.loads((out / 'manifest.json').read_text())['params']['num_val'] == 2
    assert (out / 'notes.txt').read_text() == 'not ours'
    assert (out / 'images' / 'train' / 'extra.png').read_bytes() == b'not ours either'
    # A missing file of ours invalidates the reuse.
    (out / 'images' / 'val' / '000002.jpg').unlink()
    assert generate_synthetic_coco(out, **{**small, 'num_val': 2})['reused'] is False
    assert (out / 'images' / 'val' / '000002.jpg').is_file()


def test_refuses_to_overwrite_foreign_files(tmp_path):
    foreign = tmp_path / 'coco'
    (foreign / 'annotations').mkdir(parents=True)
    (foreign / 'annotations' / 'person_keypoints_val.json').write_text('{"real": "coco"}')
    with pytest.raises(FileExistsError, match='person_keypoints_val.json'):
        generate_synthetic_coco(foreign, num_train=1, num_val=1)
    assert (foreign / 'annotations' / 'person_keypoints_val.json').read_text() == '{"real": "coco"}'
    (tmp_path / 'other').mkdir()
    (tmp_path / 'other' / 'manifest.json').write_text('{"something": "else"}')
    with pytest.raises(FileExistsError, match='manifest.json'):
        generate_synthetic_coco(tmp_path / 'other', num_train=1, num_val=1)


@pytest.mark.parametrize(('kwargs', 'name'), [
    ({'num_train': 0}, 'num_train'), ({'num_train': 2.5}, 'num_train'),
    ({'num_train': True}, 'num_train'), ({'num_val': -1}, 'num_val'),
    ({'num_val': '3'}, 'num_val'), ({'image_size': (0, 64)}, 'image_size'),
    ({'image_size': (64,)}, 'image_size'), ({'image_size': (64, -5)}, 'image_size'),
    ({'seed': -1}, 'seed'), ({'max_figures': 0}, 'max_figures'),
    ({'false_positive_rate': 2.0}, 'false_positive_rate')])
def test_bad_arguments(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        generate_synthetic_coco(tmp_path / 'data', **{'num_train': 1, 'num_val': 1, **kwargs})
    assert not (tmp_path / 'data').exists()


def test_unwritable_out_dir(tmp_path):
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    with pytest.raises(OSError, match='a_file'):
        generate_synthetic_coco(blocker / 'data', num_train=1, num_val=1)


def test_loads_with_xtcocotools(dataset):
    for split in ('train', 'val'):
        coco = COCO(dataset[f'{split}_ann'])
        assert len(coco.getImgIds()) == dataset[f'num_{split}_images']
        assert len(coco.getAnnIds()) == dataset[f'num_{split}_instances']
    detections = coco.loadRes(dataset['val_detections'])
    assert len(detections.getAnnIds()) == len(_load(dataset['val_detections']))
    # The ground truth, submitted as predictions, scores a perfect keypoint AP.
    predictions = [{'image_id': ann['image_id'], 'category_id': 1, 'keypoints': ann['keypoints'],
                    'score': 1.0} for ann in coco.loadAnns(coco.getAnnIds())]
    sigmas = np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87,
                       .87, .89, .89]) / 10.0
    evaluation = COCOeval(coco, coco.loadRes(predictions), 'keypoints', sigmas)
    evaluation.evaluate()
    evaluation.accumulate()
    evaluation.summarize()
    assert evaluation.stats[0] == pytest.approx(1.0)


def test_loads_with_mmpose_coco_dataset(dataset):
    common = {'ann_file': 'annotations/person_keypoints_val.json',
              'data_root': dataset['out_dir'], 'data_mode': 'topdown',
              'data_prefix': {'img': 'images/val/'}, 'pipeline': []}
    gt = CocoDataset(test_mode=False, **common)
    assert len(gt) == dataset['num_val_instances']
    sample = gt[0]
    assert sample['keypoints'].shape == (1, 17, 2) and sample['keypoints_visible'].shape == (1, 17)
    assert Path(sample['img_path']).is_file()
    detected = CocoDataset(test_mode=True, bbox_file=dataset['val_detections'], **common)
    assert len(detected) == len(_load(dataset['val_detections']))
