"""tools/infer.py end to end: COCO boxes or an RTMDet detector, on folders, images and videos;
every output parses; bad inputs are skipped, counted or refused with a clear message."""
import importlib.util
import json
import shutil
import subprocess
import sys

import cv2
import pytest

from tests.apis.helpers import (
    COCO_DIR,
    COCO_IMAGES,
    REPO_ROOT,
    tiny_pose_config,
    write_pose_files,
    write_rtmdet_files,
    write_video,
)

COCO_IDS = {785, 40083, 196141, 197388}
RECORD_KEYS = {'image_id', 'category_id', 'keypoints', 'score', 'bbox'}
DETECTIONS = COCO_DIR / 'test_coco_det_AP_H_56.json'


def _load_tool():
    spec = importlib.util.spec_from_file_location('infer_tool', REPO_ROOT / 'tools' / 'infer.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


infer = _load_tool()


@pytest.fixture(scope='module')
def pose(tmp_path_factory):
    return [str(p) for p in write_pose_files(tiny_pose_config(), tmp_path_factory.mktemp('p'))]


@pytest.fixture(scope='module')
def rtmdet(tmp_path_factory):
    config, checkpoint = write_rtmdet_files(tmp_path_factory.mktemp('rtmdet'))
    return ['--det-config', str(config), '--det-checkpoint', str(checkpoint)]


def _predictions(out_dir):
    assert not (out_dir / 'predictions.partial.jsonl').exists()
    records = json.loads((out_dir / 'predictions.json').read_text())
    for record in records:
        assert len(record['keypoints']) == 17 * 3 and len(record['bbox']) == 4
        assert record['category_id'] == 1 and 0 <= record['score'] <= 1
    return records


def test_bboxes_on_coco_folder(pose, tmp_path, capsys):
    out = tmp_path / 'out'
    assert infer.main([*pose, '--input', str(COCO_DIR), '--bboxes', str(DETECTIONS),
                       '--bbox-thr', '0.5', '--out-dir', str(out), '--batch-size', '5']) == 0
    records = _predictions(out)
    entries = json.loads(DETECTIONS.read_text())
    expected = {i: sum(e['image_id'] == i and e['score'] > 0.5 for e in entries) for i in COCO_IDS}
    assert {i: sum(r['image_id'] == i for r in records) for i in COCO_IDS} == expected
    assert all(set(r) == RECORD_KEYS | {'file_name'} for r in records)
    assert {r['file_name'] for r in records} == {p.name for p in COCO_IMAGES}
    for path in COCO_IMAGES:
        drawn = cv2.imread(str(out / path.name))
        assert drawn.shape == cv2.imread(str(path)).shape
    assert 'images: 4, persons: 18, skipped: 0' in capsys.readouterr().out


def test_detector_on_video(pose, rtmdet, tmp_path, capsys):
    video = write_video(tmp_path / 'clip.mp4', num_frames=5)
    out = tmp_path / 'out'
    assert infer.main([*pose, *rtmdet, '--input', str(video), '--bbox-thr', '0.5',
                       '--out-dir', str(out)]) == 0
    records = _predictions(out)
    assert records and all(set(r) == RECORD_KEYS | {'frame_index', 'track_id'} for r in records)
    # Random detector weights: some frames may have no person box inside the frame.
    assert {r['frame_index'] for r in records} <= set(range(5))
    assert all(r['image_id'] == r['frame_index'] for r in records)
    for frame in range(5):
        ids = [r['track_id'] for r in records if r['frame_index'] == frame]
        assert len(ids) == len(set(ids))  # one person per id within a frame
    annotated = cv2.VideoCapture(str(out / 'clip.mp4'))
    assert annotated.get(cv2.CAP_PROP_FRAME_COUNT) == 5
    assert (annotated.get(cv2.CAP_PROP_FRAME_WIDTH), annotated.get(cv2.CAP_PROP_FRAME_HEIGHT)) \
        == (320, 240)
    assert f'images: 5, persons: {len(records)}, skipped: 0' in capsys.readouterr().out


def test_detector_on_folder_with_bad_gray_and_rgba_images(pose, rtmdet, tmp_path, capsys,
                                                          caplog):
    folder = tmp_path / 'in'
    folder.mkdir()
    shutil.copy(COCO_IMAGES[0], folder)
    image = cv2.imread(str(COCO_IMAGES[1]))
    cv2.imwrite(str(folder / 'gray.png'), cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    cv2.imwrite(str(folder / 'rgba.png'), cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))
    (folder / 'broken.jpg').write_bytes(b'not a jpeg')
    out = tmp_path / 'out'
    assert infer.main([*pose, *rtmdet, '--input', str(folder), '--bbox-thr', '0.5',
                       '--out-dir', str(out)]) == 0
    records = _predictions(out)
    assert {r['file_name'] for r in records} == {COCO_IMAGES[0].name, 'gray.png', 'rgba.png'}
    assert all((out / name).is_file() for name in (COCO_IMAGES[0].name, 'gray.png', 'rgba.png'))
    assert not (out / 'broken.jpg').exists()
    summary = capsys.readouterr().out
    assert 'images: 3,' in summary and 'skipped: 1,' in summary
    assert 'broken.jpg' in caplog.text


def _coco_subset(tmp_path, names):
    """A folder with the named COCO sample images."""
    folder = tmp_path / 'in'
    folder.mkdir()
    for name in names:
        shutil.copy(COCO_DIR / name, folder)
    return folder


def test_image_without_boxes_and_unmatched_entries(pose, tmp_path, capsys, caplog):
    """One image has boxes, the other none: it is still drawn, with no record. Entries for
    images that are not in the input are counted in a warning."""
    folder = _coco_subset(tmp_path, ['000000000785.jpg', '000000040083.jpg'])
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(json.dumps([
        {'image_id': 785, 'bbox': [280, 40, 220, 340], 'score': 0.9, 'category_id': 1},
        {'file_name': '000000000785.jpg', 'bbox': [10, 10, 50, 80], 'score': 0.8},
        {'image_id': 999, 'bbox': [0, 0, 10, 10], 'score': 0.9, 'category_id': 1},
        {'file_name': 'elsewhere.jpg', 'bbox': [0, 0, 10, 10], 'score': 0.9},
        {'image_id': 40083, 'bbox': [0, 0, 10, 10], 'score': 0.9, 'category_id': 3},
    ]))
    out = tmp_path / 'out'
    assert infer.main([*pose, '--input', str(folder), '--bboxes', str(boxes),
                       '--out-dir', str(out)]) == 0
    records = _predictions(out)
    assert [r['image_id'] for r in records] == [785, 785]
    assert (out / '000000040083.jpg').is_file()
    assert '2 of 4 person detections refer to no input image' in caplog.text
    assert 'images: 2, persons: 2' in capsys.readouterr().out


def test_boxes_file_matching_no_image_is_an_error(pose, tmp_path, capsys):
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(json.dumps([{'image_id': 1, 'bbox': [0, 0, 10, 10], 'score': 1}]))
    assert infer.main([*pose, '--input', str(COCO_DIR), '--bboxes', str(boxes),
                       '--out-dir', str(tmp_path / 'out')]) == 1
    assert 'none of its 1 person detections refers to an input image' in capsys.readouterr().err


@pytest.mark.bad_input('video frame that fails to decode in the middle', 'skipped')
def test_corrupt_video_frame_is_skipped(pose, tmp_path, capsys, caplog):
    """An MJPG frame whose data is zeroed does not decode: skipped, counted, and the frames
    after it are processed (here without boxes: each whole frame is one person)."""
    video = write_video(tmp_path / 'clip.avi', num_frames=5, fourcc='MJPG')
    data = bytearray(video.read_bytes())
    starts = [i for i in range(len(data) - 1) if data[i:i + 2] == b'\xff\xd8']
    data[starts[2]:starts[2] + 400] = bytes(400)  # the JPEG start of frame 2
    video.write_bytes(bytes(data))
    out = tmp_path / 'out'
    assert infer.main([*pose, '--input', str(video), '--out-dir', str(out)]) == 0
    records = _predictions(out)
    assert [r['frame_index'] for r in records] == [0, 1, 3, 4]
    # The video cycles the 4 sample images: frame 4 shows frame 0's image again, so the same
    # pose, which continues frame 0's track across the skipped frame (OKS tracking).
    assert records[3]['track_id'] == records[0]['track_id'] == 0
    assert 'images: 4, persons: 4, skipped: 1' in capsys.readouterr().out
    assert 'frame 2' in caplog.text


@pytest.mark.bad_input('--out-dir that holds the input (drawings would overwrite it)',
                       'refused')
def test_refuses_to_overwrite_inputs(pose, tmp_path, capsys):
    folder = _coco_subset(tmp_path, ['000000000785.jpg'])
    video = write_video(folder / 'clip.mp4', num_frames=2, size=(64, 48))
    for source in (folder, folder / '000000000785.jpg', video):
        assert infer.main([*pose, '--input', str(source), '--out-dir', str(folder)]) == 1
        assert 'the drawings would overwrite it' in capsys.readouterr().err
    assert not (folder / 'predictions.json').exists()


def test_formats_coco_and_json_lines(pose, tmp_path, capsys):
    """``--format jsonl coco``: a line per image (persons or not) and the COCO records, the same
    persons in both; an unknown format is refused before any output."""
    out = tmp_path / 'out'
    assert infer.main([*pose, '--input', str(COCO_DIR), '--bboxes', str(DETECTIONS),
                       '--bbox-thr', '0.9', '--out-dir', str(out), '--no-vis',
                       '--format', 'jsonl', 'coco']) == 0
    lines = [json.loads(line) for line in (out / 'predictions.jsonl').read_text().splitlines()]
    assert [line['file_name'] for line in lines] == [p.name for p in COCO_IMAGES]
    assert {line['image_id'] for line in lines} == COCO_IDS
    assert [p for line in lines for p in line['persons']] == _predictions(out)
    assert sorted(p.name for p in out.iterdir()) == ['.infer.lock', 'predictions.json',
                                                     'predictions.jsonl', 'summary.json']
    assert infer.main([*pose, '--input', str(COCO_IMAGES[0]), '--out-dir', str(tmp_path / 'x'),
                       '--format', 'coco', 'xml']) == 1
    assert "unknown output format(s) ['xml']" in capsys.readouterr().err
    assert not (tmp_path / 'x').exists()


@pytest.mark.bad_input('text file named .mp4', 'refused')
def test_unopenable_video_and_missing_checkpoint_are_errors(pose, tmp_path, capsys):
    (tmp_path / 'broken.mp4').write_text('not a video')
    assert infer.main([*pose, '--input', str(tmp_path / 'broken.mp4'),
                       '--out-dir', str(tmp_path / 'out')]) == 1
    assert 'cannot open video' in capsys.readouterr().err
    missing = tmp_path / 'missing.pth'
    assert infer.main([pose[0], str(missing), '--input', str(COCO_IMAGES[0])]) == 1
    assert str(missing) in capsys.readouterr().err


@pytest.mark.parametrize('args, message', [
    pytest.param(['--bbox-thr', '1.5'], 'must be in [0, 1]', marks=pytest.mark.bad_input(
        'command-line threshold outside [0, 1] (usage error, exit 2)', 'refused')),
    (['--kpt-thr', '-0.1'], 'must be in [0, 1]'),
    (['--det-config', 'det.py'], 'must be given together'),
    (['--det-checkpoint', 'det.pth'], 'must be given together'),
    (['--det-config', 'det.py', '--det-checkpoint', 'd.pth', '--bboxes', 'b.json'], 'not both'),
    pytest.param(['--batch-size', '0'], 'must be >= 1', marks=pytest.mark.bad_input(
        'command-line batch size 0 (usage error, exit 2)', 'refused')),
])
def test_argument_errors(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        infer.parse_args(['pose.py', 'pose.pth', '--input', 'x.jpg', *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_script_runs_standalone(tmp_path):
    """As a script (its own process): the error path exits 1 with the missing file's path."""
    missing = tmp_path / 'missing.pth'
    run = subprocess.run([sys.executable, 'tools/infer.py', 'configs/coco/'
                          'td-hm_hrnet-w32_8xb64-210e_coco-256x192.py', str(missing), '--input',
                          str(COCO_IMAGES[0])], cwd=REPO_ROOT, capture_output=True, text=True)
    assert run.returncode == 1
    assert f'checkpoint file not found: {missing}' in run.stderr
