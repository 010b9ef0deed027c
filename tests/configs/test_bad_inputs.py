"""Bad inputs to the configured datasets fail early, naming the file and the field at fault.

Every case starts from the sample data, which loads cleanly, and breaks one thing in a copy.
"""
import copy
import json
import logging
import shutil
from pathlib import Path

import mmpose
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmpose.registry import DATASETS

from hrnet_plugin.datasets import write_mpii_headbox_mat

from .samples import COCO_DETECTIONS, SAMPLES, sample_dataset_cfg

COCO_ANNOTATIONS = json.loads((SAMPLES / 'coco' / 'test_coco.json').read_text())
MPII_ANNOTATIONS = json.loads((SAMPLES / 'mpii' / 'test_mpii.json').read_text())
MMPOSE_COCO_METAINFO = Path(mmpose.__file__).parent / '.mim/configs/_base_/datasets/coco.py'


def build(dataset: str, split: str, **overrides):
    init_default_scope('mmpose')
    return DATASETS.build(sample_dataset_cfg(dataset, split, **overrides))


def write_json(path: Path, content) -> str:
    path.write_text(json.dumps(content))
    return str(path)


def coco_annotations_with(edit) -> dict:
    """A copy of the COCO sample annotations, changed in place by ``edit``."""
    content = copy.deepcopy(COCO_ANNOTATIONS)
    edit(content)
    return content


@pytest.mark.parametrize('split', ['train', 'val'])
def test_samples_load(split):
    # 14 persons, of which 2 have no labelled keypoint and are left out of top-down training.
    assert len(build('coco', split)) == 12
    assert len(build('mpii', split)) == 5
    assert len(build('posetrack18', split)) == 14


def test_missing_image_names_the_file(tmp_path):
    def rename(content):
        content['images'][1]['file_name'] = 'not_here.jpg'
    ann = write_json(tmp_path / 'ann.json', coco_annotations_with(rename))
    with pytest.raises(FileNotFoundError, match=r'1 of 4 images of .*ann\.json do not exist.*'
                                                r'not_here\.jpg'):
        build('coco', 'train', ann_file=ann)


@pytest.fixture
def corrupt_image_root(tmp_path) -> Path:
    """The COCO sample images with 000000196141.jpg (4 persons) replaced by garbage bytes."""
    for image in (SAMPLES / 'coco').glob('*.jpg'):
        shutil.copy(image, tmp_path)
    (tmp_path / '000000196141.jpg').write_bytes(np.random.default_rng(0).bytes(1000))
    return tmp_path


def test_corrupt_image_fails_evaluation_naming_the_file(corrupt_image_root):
    dataset = build('coco', 'val', data_prefix={'img': f'{corrupt_image_root}/'})
    corrupt = [i for i in range(len(dataset))
               if dataset.get_data_info(i)['img_path'].endswith('000000196141.jpg')]
    dataset[0 if 0 not in corrupt else corrupt[-1] + 1]  # the other images load
    with pytest.raises(AssertionError, match='000000196141.jpg'):
        dataset[corrupt[0]]


@pytest.mark.bad_input('corrupt training image (LoadImageOrSkip)', 'skipped')
def test_corrupt_image_is_skipped_and_counted_in_training(corrupt_image_root):
    dataset = build('coco', 'train', data_prefix={'img': f'{corrupt_image_root}/'})
    corrupt = [i for i in range(len(dataset))
               if dataset.get_data_info(i)['img_path'].endswith('000000196141.jpg')]
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    np.random.seed(0)  # mmengine draws the replacement sample with numpy's global generator
    try:
        samples = [dataset[i] for i in corrupt]
    finally:
        logger.removeHandler(handler)
    replacements = {sample['data_samples'].img_path for sample in samples}
    assert not any(path.endswith('000000196141.jpg') for path in replacements)
    skips = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert len(skips) >= len(corrupt)  # a replacement may hit the corrupt image again
    assert all('000000196141.jpg' in message for message in skips)
    assert f'({len(skips)} skipped so far' in skips[-1]


def test_annotation_file_that_does_not_parse(tmp_path):
    ann = tmp_path / 'broken.json'
    ann.write_text(json.dumps(COCO_ANNOTATIONS)[:500])
    with pytest.raises(ValueError, match=r'broken\.json is not valid json: .*line 1'):
        build('coco', 'val', ann_file=str(ann))


@pytest.mark.parametrize('edit, message', [
    (lambda c: c.pop('annotations'), r'top-level field "annotations" \(a list\) is missing'),
    (lambda c: c['images'][2].pop('width'), r"images\[2\] lacks field\(s\) \['width'\]"),
    (lambda c: c['annotations'][3].pop('keypoints'),
     r"annotations\[3\] lacks field\(s\) \['keypoints'\]"),
    (lambda c: c['annotations'][0].pop('bbox'), r"annotations\[0\] lacks field\(s\) \['bbox'\]"),
    (lambda c: c['annotations'][5].update(image_id=123),
     r'annotations\[5\] \(id 488308\): image_id 123 is not in "images"'),
])
def test_annotation_file_without_required_fields(tmp_path, edit, message):
    ann = write_json(tmp_path / 'ann.json', coco_annotations_with(edit))
    with pytest.raises(ValueError, match=r'ann\.json: ' + message):
        build('coco', 'train', ann_file=ann)


def test_keypoints_of_the_wrong_length_for_the_dataset(tmp_path):
    def drop_last_keypoint(content):
        content['annotations'][1]['keypoints'] = content['annotations'][1]['keypoints'][:-3]
    ann = write_json(tmp_path / 'ann.json', coco_annotations_with(drop_last_keypoint))
    with pytest.raises(ValueError, match=r'annotations\[1\] \(id 198196\): "keypoints" must hold'
                                         r' 3 x 17 values .*got 48'):
        build('coco', 'train', ann_file=ann)


def test_mpii_joints_of_the_wrong_length(tmp_path):
    content = copy.deepcopy(MPII_ANNOTATIONS)
    content[2]['joints'] = content[2]['joints'][:15]
    ann = write_json(tmp_path / 'mpii.json', content)
    with pytest.raises(ValueError, match=r'mpii\.json: entry \[2\] \(.*\.jpg\): "joints" must be'
                                         r' 16 x 2 finite numbers .*got 15'):
        build('mpii', 'train', ann_file=ann)


@pytest.mark.bad_input('MPII head boxes not one per person', 'refused')
def test_mpii_head_boxes_must_match_the_persons(tmp_path):
    boxes = write_mpii_headbox_mat(tmp_path / 'heads.mat', np.tile([[0., 0.], [10., 10.]],
                                                                    (4, 1, 1)))
    with pytest.raises(ValueError, match=r'heads\.mat holds 4 head boxes for the 5 persons'):
        build('mpii', 'val', headbox_file=str(boxes))


@pytest.mark.parametrize('edit, message', [
    (lambda info: info['sigmas'].pop(), r'sigmas has 16 values for 17 keypoints'),
    # left_eye (1) swaps with right_ear (4), which still swaps with left_ear (3)
    (lambda info: info['keypoint_info'][1].update(swap='right_ear'),
     r'flip_indices \[0, 4, 1, 4, 3, .*\] do not pair up the keypoints'),
])
def test_metainfo_arrays_must_match_the_keypoints(tmp_path, edit, message):
    metainfo = Config.fromfile(str(MMPOSE_COCO_METAINFO)).to_dict()['dataset_info']
    edit(metainfo)
    path = tmp_path / 'metainfo.py'
    path.write_text(f'dataset_info = {metainfo!r}\n')
    with pytest.raises(ValueError, match=r"metainfo of dataset 'coco': " + message):
        build('coco', 'train', metainfo={'from_file': str(path)})


def test_detections_for_images_that_are_not_annotated(tmp_path):
    detections = json.loads(COCO_DETECTIONS.read_text())
    for det in detections[:7]:
        det['image_id'] += 1_000_000
    dets = write_json(tmp_path / 'dets.json', detections)
    with pytest.raises(ValueError, match=r'dets\.json: 7 of 118 person detections belong to 1 '
                                         r'image id\(s\) that are not in .*test_coco\.json'):
        build('coco', 'val', bbox_file=dets)


@pytest.mark.bad_input('detections (bbox_file) without a person', 'refused')
def test_detections_without_persons(tmp_path):
    dets = write_json(tmp_path / 'dets.json', [
        {'image_id': 785, 'category_id': 2, 'bbox': [0, 0, 10, 10], 'score': 0.9}])
    with pytest.raises(ValueError, match=r'dets\.json holds no person detection'):
        build('coco', 'val', bbox_file=dets)


@pytest.mark.bad_input('annotation file without a labelled person', 'refused')
def test_empty_validation_set(tmp_path):
    def unlabel(content):
        for ann in content['annotations']:
            ann['num_keypoints'] = 0
    ann = write_json(tmp_path / 'ann.json', coco_annotations_with(unlabel))
    with pytest.raises(ValueError, match=r'ann\.json: no person instances left to evaluate'):
        build('coco', 'val', ann_file=ann)


@pytest.mark.bad_input('no detection above the score threshold', 'refused')
def test_no_detection_above_the_score_threshold():
    with pytest.raises(ValueError, match=r'test_coco_det_AP_H_56\.json: no person instances left '
                                         r"to evaluate .*'bbox_score_thr': 1\.1"):
        build('coco', 'val', bbox_file=str(COCO_DETECTIONS), filter_cfg={'bbox_score_thr': 1.1})
