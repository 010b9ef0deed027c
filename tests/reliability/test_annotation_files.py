"""Annotation files given to tools/train.py and tools/test.py (COCO, MPII, PoseTrack18), each
broken in one place: refused with one line naming the file, the entry (its annotation id) and
the value, before training or evaluation starts.

Building mmengine's Runner costs 2-3 s here (it formats the config three times), so a few cases
go through the tools and the others build the configured dataset, whose error the tools print
as ``error_line`` does.
"""
import copy
import json
import math

import pytest
from mmengine.registry import init_default_scope
from mmpose.registry import DATASETS

from hrnet_plugin.utils import error_line

from ..configs.samples import sample_dataset_cfg
from ..conftest import DATA_ROOT
from ..tools.runs import write_tiny_config
from .helpers import assert_refused, run_cli

COCO = json.loads((DATA_ROOT / 'coco' / 'test_coco.json').read_text())
MPII = json.loads((DATA_ROOT / 'mpii' / 'test_mpii.json').read_text())
POSETRACK18 = json.loads(
    (DATA_ROOT / 'posetrack18' / 'annotations' / 'test_posetrack18_val.json').read_text())
SAMPLES = {'coco': COCO, 'mpii': MPII, 'posetrack18': POSETRACK18}


@pytest.fixture(scope='module')
def tiny_configs(tmp_path_factory):
    folder = tmp_path_factory.mktemp('configs')
    return {name: write_tiny_config(folder / name, name) for name in SAMPLES}


def _set(path, value):
    """An edit of the annotations: ``value`` at ``path`` (keys and indices; None: delete)."""
    def edit(content):
        *parents, last = path
        for key in parents:
            content = content[key]
        if value is None:
            del content[last]
        else:
            content[last] = value(content[last]) if callable(value) else value
    return edit


def _append(key, index, changes):
    """An edit: append a copy of ``content[key][index]`` updated with ``changes``."""
    def edit(content):
        content[key].append({**copy.deepcopy(content[key][index]), **changes})
    return edit


# (dataset, tool (None: the dataset is built directly), edit, words of the error besides the
# file name)
CASES = {
    'keypoints holding 50 numbers': (
        'coco', 'train', _set(('annotations', 0, 'keypoints'), lambda k: k[:50]),
        ['annotations[0] (id 442619)', 'must hold 3 x 17 values', 'got 50']),
    'annotation without keypoints': (
        'coco', None, _set(('annotations', 3, 'keypoints'), None),
        ["annotations[3] lacks field(s) ['keypoints']"]),
    'visibility value 3': (
        'coco', None, _set(('annotations', 1, 'keypoints', 5), 3),
        ['annotations[1] (id 198196)', 'visibility of keypoint 1 must be 0', 'got 3']),
    'NaN keypoint coordinate': (
        'coco', None, _set(('annotations', 2, 'keypoints', 0), math.nan),
        ['annotations[2] (id 230195)', '"keypoints" must be finite numbers', 'nan']),
    'keypoints as strings': (
        'coco', None, _set(('annotations', 0, 'keypoints'), lambda k: [str(v) for v in k]),
        ['annotations[0] (id 442619)', '"keypoints" must be finite numbers', "['"]),
    'bbox of 3 numbers': (
        'coco', None, _set(('annotations', 0, 'bbox'), lambda b: b[:3]),
        ['annotations[0] (id 442619)', '"bbox" must be [x, y, w, h]']),
    'image entry whose file does not exist': (
        'coco', None, _set(('images', 1, 'file_name'), 'not_here.jpg'),
        ['1 of 4 images', 'not_here.jpg']),
    'duplicate image ids': (
        'coco', None, _set(('images', 2, 'id'), 785),
        ['images[2]: id 785 is also the id of images[0]']),
    'duplicate annotation ids': (
        'coco', None, _append('annotations', 4, {}),
        ['annotations[14]: id', 'is also the id of annotations[4]']),
    'annotation of an image that is not listed': (
        'coco', None, _set(('annotations', 5, 'image_id'), 123),
        ['annotations[5] (id 488308): image_id 123 is not in "images"']),
    'image of width 0': (
        'coco', None, _set(('images', 0, 'width'), 0),
        ['images[0] (id 785)', '"width" must be a positive number, got 0']),
    'no "annotations" list': (
        'coco', None, _set(('annotations', ), None),
        ['top-level field "annotations" (a list) is missing']),
    'MPII joints of 15 keypoints': (
        'mpii', 'train', _set((2, 'joints'), lambda j: j[:15]),
        ['entry [2]', '"joints" must be 16 x 2 finite numbers', 'got 15']),
    'MPII joints_vis value 2': (
        'mpii', None, _set((1, 'joints_vis', 0), 2),
        ['entry [1]', '"joints_vis" must be 0 or 1 per joint']),
    'MPII entry without center': (
        'mpii', None, _set((0, 'center'), None), ["entry [0] lacks field(s) ['center']"]),
    'PoseTrack18 keypoints of 16 keypoints': (
        'posetrack18', 'test', _set(('annotations', 0, 'keypoints'), lambda k: k[:48]),
        ['annotations[0] (id 1012834000000)', 'must hold 3 x 17 values', 'got 48']),
    'PoseTrack18 duplicate annotation ids': (
        'posetrack18', None, _set(('annotations', 1, 'id'), 1012834000000),
        ['annotations[1]: id 1012834000000 is also the id of annotations[0]']),
    'PoseTrack18 visibility value -1': (
        'posetrack18', None, _set(('annotations', 0, 'keypoints', 2), -1),
        ['annotations[0] (id 1012834000000)', 'visibility of keypoint 0', 'got -1']),
}


def _run(tool, config, dataset_key, ann_file, tmp_path, pose_files, capsys, extra=()):
    loader = 'train_dataloader' if tool == 'train' else 'test_dataloader'
    args = [config, *([pose_files[1]] if tool == 'test' else []), '--work-dir',
            tmp_path / 'work', '--cfg-options', f'{loader}.dataset.{dataset_key}={ann_file}',
            *extra]
    return run_cli(tool, args, capsys)


@pytest.mark.parametrize('case', [
    pytest.param(case, marks=pytest.mark.bad_input(f'annotation file: {case}', 'refused'),
                 id=case)
    for case in CASES])
def test_broken_annotation_file_is_refused(tiny_configs, pose_files, tmp_path, capsys, case):
    dataset, tool, edit, words = CASES[case]
    content = copy.deepcopy(SAMPLES[dataset])
    edit(content)
    ann = tmp_path / 'broken.json'
    # The ann file is given with its full path; data_root stays the samples' folder.
    ann.write_text(json.dumps(content))
    if tool is None:
        init_default_scope('mmpose')
        with pytest.raises((ValueError, FileNotFoundError)) as error:
            DATASETS.build(sample_dataset_cfg(dataset, 'train', ann_file=str(ann)))
        line = error_line(error.value)
        assert str(ann) in line and all(word in line for word in words), line
        return
    status, _, err = _run(tool, tiny_configs[dataset], 'ann_file', ann, tmp_path, pose_files,
                          capsys)
    assert_refused(status, err, f'{tool}.py', str(ann), *words)
    assert not list((tmp_path / 'work').rglob('*.pth'))  # nothing trained


@pytest.mark.bad_input('annotation file that does not exist', 'refused')
def test_missing_annotation_file_is_refused(tiny_configs, pose_files, tmp_path, capsys):
    missing = tmp_path / 'nope.json'
    status, _, err = _run('train', tiny_configs['coco'], 'ann_file', missing, tmp_path,
                          pose_files, capsys)
    assert_refused(status, err, 'train.py', f'annotation file {missing} does not exist')


@pytest.mark.bad_input('annotation file that is not json', 'refused')
def test_annotation_file_that_is_not_json_is_refused(tiny_configs, pose_files, tmp_path, capsys):
    ann = tmp_path / 'broken.json'
    ann.write_text(json.dumps(COCO)[:500])
    status, _, err = _run('test', tiny_configs['coco'], 'ann_file', ann, tmp_path, pose_files,
                          capsys)
    assert_refused(status, err, 'test.py', f'{ann} is not valid json', 'line 1')


@pytest.mark.bad_input('detections (bbox_file) of images not in the annotation file', 'refused')
def test_detections_of_other_images_are_refused(tiny_configs, pose_files, tmp_path, capsys):
    detections = json.loads((DATA_ROOT / 'coco' / 'test_coco_det_AP_H_56.json').read_text())
    detections[0]['image_id'] = 31337
    path = tmp_path / 'dets.json'
    path.write_text(json.dumps(detections))
    status, _, err = _run('test', tiny_configs['coco'], 'bbox_file', path, tmp_path,
                          pose_files, capsys)
    assert_refused(status, err, 'test.py', str(path), '1 of 118 person detections',
                   'e.g. [31337]')


