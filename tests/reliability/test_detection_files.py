"""Person-box files of tools/infer.py --bboxes: malformed files and entries are refused naming
the file, the entry and the value; boxes that cannot be used are dropped and counted per frame;
entries for other images and repeated entries are counted."""
import json
import math

import cv2
import pytest

from ..apis.helpers import COCO_IMAGES
from .helpers import assert_refused, run_cli, tool

GOOD = {'bbox': [10, 10, 60, 80], 'score': 0.9}


@pytest.fixture(scope='module')
def small_folder(tmp_path_factory):
    """Copies of one COCO image (160 x 120) under the names the box files refer to."""
    folder = tmp_path_factory.mktemp('in')
    image = cv2.resize(cv2.imread(str(COCO_IMAGES[0])), (160, 120))
    for name in ('000000000785.jpg', 'nan.jpg', 'inf.jpg', 'negative.jpg', 'huge.jpg',
                 'outside.jpg', 'repeated.jpg', 'dotdot.jpg'):
        cv2.imwrite(str(folder / name), image)
    return folder


REFUSED = {
    'not json': ('{"image_id": 785, ', 'is not valid json'),
    'not a list': ({'image_id': 785, **GOOD}, 'expected a json list of detections'),
    'entry not an object': ([{'image_id': 785, **GOOD}, [1, 2, 3, 4]],
                            'entry [1] is not a json object'),
    'entry without bbox': ([{'image_id': 785, 'score': 1}],
                           "entry [0] lacks field(s) ['bbox']"),
    'non-numeric bbox': ([{'image_id': 785, 'bbox': ['10', 10, 60, 80]}],
                         "entry [0]: \"bbox\" must be [x, y, w, h], 4 numbers, got ['10'"),
    'bbox of 3 numbers': ([{'image_id': 785, 'bbox': [10, 10, 60]}],
                          '"bbox" must be [x, y, w, h], 4 numbers, got [10, 10, 60]'),
    'score outside [0, 1]': ([{'image_id': 785, 'bbox': [1, 1, 5, 5], 'score': 1.5}],
                             '"score" must be a number in [0, 1], got 1.5'),
    'NaN score': ('[{"image_id": 785, "bbox": [1, 1, 5, 5], "score": NaN}]',
                  '"score" must be a number in [0, 1], got nan'),
    'non-integer image_id': ([{'image_id': '785', 'bbox': [1, 1, 5, 5]}],
                             '"image_id" must be an integer, got \'785\''),
    'file_name not a string': ([{'file_name': 785, 'bbox': [1, 1, 5, 5]}],
                               '"file_name" must be a string, got 785'),
    'no entry matching an input image': ([{'image_id': 424242, **GOOD}],
                                         'none of its 1 person detections refers to an input'),
}


@pytest.mark.parametrize('case', [
    pytest.param(case, marks=pytest.mark.bad_input(f'box file: {case}', 'refused'), id=case)
    for case in REFUSED])
def test_malformed_box_file_is_refused(pose_files, small_folder, tmp_path, capsys, case):
    content, message = REFUSED[case]
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(content if isinstance(content, str) else json.dumps(content))
    out = tmp_path / 'out'
    status, _, err = run_cli('infer', [*pose_files, '--input', small_folder, '--bboxes', boxes,
                                       '--out-dir', out], capsys)
    assert_refused(status, err, 'infer.py', str(boxes), message)
    assert not out.exists()  # refused before any output


@pytest.mark.bad_input('box file that does not exist', 'refused')
def test_missing_box_file_is_refused(pose_files, small_folder, tmp_path, capsys):
    status, _, err = run_cli('infer', [*pose_files, '--input', small_folder, '--bboxes',
                                       tmp_path / 'nope.json', '--out-dir', tmp_path], capsys)
    assert_refused(status, err, 'infer.py', f'{tmp_path / "nope.json"} does not exist')


# One box the model can use per image, and the kind of box that must be dropped.
DROPPED = {'nan.jpg': [math.nan, 10, 50, 50], 'inf.jpg': [10, 10, math.inf, 50],
           'negative.jpg': [50, 50, -20, 30], 'huge.jpg': [10, 10, 1e39, 50],
           'outside.jpg': [500, 500, 50, 50]}
CASES = {'nan.jpg': 'NaN box', 'inf.jpg': 'infinite box', 'negative.jpg': 'box of negative size',
         'huge.jpg': 'box beyond float32 range (1e39)',
         'outside.jpg': 'box entirely outside the image'}


@pytest.fixture(scope='module')
def boxes_run(pose_files, small_folder, tmp_path_factory):
    """One run whose box file holds every kind of unusable entry."""
    folder = tmp_path_factory.mktemp('boxes')
    entries = [{'image_id': 785, **GOOD}, {'image_id': 999999, **GOOD},
               {'image_id': 123456, **GOOD}]
    for name, box in DROPPED.items():
        entries += [{'file_name': name, **GOOD}, {'file_name': name, 'bbox': box, 'score': 0.5}]
    entries += [{'file_name': 'repeated.jpg', **GOOD}] * 3
    entries += [{'file_name': '../../../elsewhere/dotdot.jpg', **GOOD}]
    # json.dumps writes NaN and Infinity, which Python's json (and many exporters) accept.
    boxes = folder / 'boxes.json'
    boxes.write_text(json.dumps(entries))
    out = folder / 'work' / 'out'
    status = tool('infer').main([*pose_files, '--input', str(small_folder), '--bboxes',
                                 str(boxes), '--out-dir', str(out), '--format', 'jsonl', 'coco'])
    lines = {line['file_name']: line for line in
             map(json.loads, (out / 'predictions.jsonl').read_text().splitlines())}
    return dict(status=status, lines=lines, out=out,
                summary=json.loads((out / 'summary.json').read_text()))


@pytest.mark.parametrize('name', [
    pytest.param(name, marks=pytest.mark.bad_input(f'box file: {case}', 'skipped'), id=name)
    for name, case in CASES.items()])
def test_unusable_box_is_dropped_and_counted(boxes_run, name):
    assert boxes_run['status'] == 0
    line = boxes_run['lines'][name]
    assert line['dropped_bboxes'] == 1
    person, = line['persons']  # the usable box of the same image
    assert person['bbox'] == [10, 10, 60, 80]
    assert boxes_run['summary']['dropped_bboxes'] == len(DROPPED)


@pytest.mark.bad_input('box file: entries for image ids not in the input', 'skipped')
def test_entries_of_other_images_are_counted(boxes_run):
    assert boxes_run['summary']['unmatched_detections'] == 2
    assert len(boxes_run['lines']['000000000785.jpg']['persons']) == 1


@pytest.mark.bad_input('box file: the same entry three times', 'skipped')
def test_repeated_entries_are_counted_once(boxes_run):
    assert len(boxes_run['lines']['repeated.jpg']['persons']) == 1
    assert boxes_run['summary']['duplicate_detections'] == 2


@pytest.mark.bad_input("box file: file_name with directories and '..'", 'skipped')
def test_directories_of_file_names_are_ignored(boxes_run):
    """The entry matches by base name; nothing is written outside the output folder."""
    out = boxes_run['out']
    person, = boxes_run['lines']['dotdot.jpg']['persons']
    assert person['file_name'] == 'dotdot.jpg'
    assert sorted(p.name for p in out.parent.parent.rglob('*') if out not in p.parents
                  and p != out) == ['boxes.json', 'work']
    assert (out / 'dotdot.jpg').is_file()
