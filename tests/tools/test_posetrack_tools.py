"""PoseTrack tracking end to end: tools/infer.py (--track --format posetrack) and
tools/track_posetrack.py on synthetic videos, scored by tools/eval_posetrack.py; MOTA of the
ground truth as prediction, with a person removed and with ids swapped, computed by hand from
the annotations; bad inputs refused with the video, frame and field named."""
import copy
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest

from hrnet_plugin.evaluation.functional import POSETRACK18_EVAL_KEYPOINTS, POSETRACK18_KEYPOINTS
from hrnet_plugin.synthetic import generate_synthetic_videos
from tests.apis.helpers import REPO_ROOT, tiny_pose_config, write_pose_files

from ..conftest import DATA_ROOT

EVAL_IDX = [POSETRACK18_KEYPOINTS.index(name) for name in POSETRACK18_EVAL_KEYPOINTS]
NUM_FRAMES = 10


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / 'tools' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


infer, eval_posetrack, track_posetrack = (
    _load_tool(name) for name in ('infer', 'eval_posetrack', 'track_posetrack'))


@pytest.fixture(scope='module')
def data(tmp_path_factory) -> dict:
    return generate_synthetic_videos(tmp_path_factory.mktemp('videos') / 'data', num_videos=2,
                                     num_frames=NUM_FRAMES, image_size=(192, 144), seed=0)


@pytest.fixture(scope='module')
def pose(tmp_path_factory) -> List[str]:
    """The tiny W32 COCO model at 64 x 64 crops (seeded random weights): fast."""
    cfg = tiny_pose_config()
    codec = {**cfg.codec, 'input_size': (64, 64), 'heatmap_size': (16, 16)}
    cfg.model.head.decoder = codec
    for transform in cfg.test_dataloader.dataset.pipeline:
        if transform.type == 'TopdownAffine':
            transform.input_size = codec['input_size']
    return [str(p) for p in write_pose_files(cfg, tmp_path_factory.mktemp('pose'))]


def _video(data: dict, name: str) -> dict:
    return json.loads((Path(data['ann_dir']) / f'{name}.json').read_text())


def _as_prediction(video: dict) -> dict:
    """The ground truth as a result file (scores from the visibility, ids renamed)."""
    pred = copy.deepcopy(video)
    for ann in pred['annotations']:
        ann['scores'] = ann['keypoints'][2::3]
        ann['track_id'] += 100
    return pred


def _evaluate(tmp_path: Path, gt_dir: Path, predictions: Dict[str, dict], capsys) -> dict:
    pred_dir = tmp_path / 'pred'
    pred_dir.mkdir(parents=True)
    for name, content in predictions.items():
        (pred_dir / f'{name}.json').write_text(json.dumps(content))
    report = tmp_path / 'report.json'
    assert eval_posetrack.main([str(gt_dir), str(pred_dir), '--json', str(report)]) == 0
    assert '& MOTA &' in capsys.readouterr().out
    return json.loads(report.read_text())


def _scored(video: dict) -> np.ndarray:
    """(frames,) bool: the frames tracking scores, those with persons but the last of them."""
    labelled = {a['image_id'] for a in video['annotations']}
    mask = np.array([image['id'] in labelled for image in video['images']])
    mask[np.flatnonzero(mask)[-1]] = False
    return mask


def _annotated(video: dict) -> Dict[int, np.ndarray]:
    """{track id: (frames, 15) bool, the scored joints annotated per frame}."""
    frame_of = {image['id']: i for i, image in enumerate(video['images'])}
    tracks: Dict[int, np.ndarray] = {}
    for ann in video['annotations']:
        kpts = np.asarray(ann['keypoints']).reshape(17, 3)[EVAL_IDX]
        tracks.setdefault(ann['track_id'], np.zeros((len(frame_of), 15), bool))[
            frame_of[ann['image_id']]] = kpts.any(-1)
    return tracks


def test_ground_truth_removed_person_and_swapped_ids(data, tmp_path, capsys):
    names = data['videos']
    videos = {name: _video(data, name) for name in names}
    exact = _evaluate(tmp_path / 'exact', Path(data['ann_dir']),
                      {name: _as_prediction(v) for name, v in videos.items()}, capsys)
    for key in ('mAP', 'MOTA', 'MOTP', 'Precision', 'Recall'):
        assert exact[key] == pytest.approx(100), key

    # Video 1: person 0 removed from frame 3; persons 0 and 1 (far apart at frame 1) swap ids
    # from frame 1 on.
    name = names[0]
    pred = _as_prediction(videos[name])
    pred['annotations'] = [a for a in pred['annotations']
                           if not (a['image_id'] == pred['images'][3]['id'] and a['track_id']
                                   == 100)]
    first = pred['images'][1]['id']
    for ann in pred['annotations']:
        if ann['image_id'] >= first and ann['track_id'] in (100, 101):
            ann['track_id'] = 201 - ann['track_id']
    # Objects: annotated joints of the scored frames (all frames with persons but the last).
    objects = sum(a[_scored(v)].sum(0) for v in videos.values()
                  for a in _annotated(v).values())
    scored = _scored(videos[name])
    tracks = _annotated(videos[name])
    assert scored[3] and scored[0] and scored[1]
    misses = tracks[0][3].astype(float)
    predicted = {0: tracks[0].copy(), 1: tracks[1]}
    predicted[0][3] = False
    # A person switches on a joint type when that joint was matched in frame 0 and is matched
    # again in a scored frame from frame 1 on (under the other id).
    switches = sum(a[0] & a[1:][scored[1:]].any(0) for a in predicted.values())
    expected = 100 * (1 - (misses + switches) / objects)
    report = _evaluate(tmp_path / 'edited', Path(data['ann_dir']),
                       {name: pred, names[1]: _as_prediction(videos[names[1]])}, capsys)
    assert report['counts']['switches']['nose'] == switches[0] > 0
    assert [report['per_joint']['MOTA'][n] for n in POSETRACK18_EVAL_KEYPOINTS] == (
        pytest.approx(expected.tolist()))
    assert report['MOTA'] == pytest.approx(expected.mean())
    assert report['Precision'] == pytest.approx(100)


def test_bad_result_files_exit_with_a_message(data, tmp_path, capsys):
    gt = Path(data['ann_dir'])
    name = data['videos'][0]
    pred_dir = tmp_path / 'pred'
    pred_dir.mkdir()
    # The second video's file is missing.
    (pred_dir / f'{name}.json').write_text(json.dumps(_as_prediction(_video(data, name))))
    assert eval_posetrack.main([str(gt), str(pred_dir)]) == 1
    err = capsys.readouterr().err
    assert f'{data["videos"][1]}.json: the result file of video' in err
    assert 'Traceback' not in err
    shutil.copy(pred_dir / f'{name}.json', pred_dir / f'{data["videos"][1]}.json')
    assert eval_posetrack.main([str(gt), str(pred_dir)]) == 1
    assert 'frame 0: field "file_name"' in capsys.readouterr().err  # other video's frames
    twice = _as_prediction(_video(data, name))
    twice['annotations'][1]['track_id'] = twice['annotations'][0]['track_id']
    (pred_dir / f'{name}.json').write_text(json.dumps(twice))
    (pred_dir / f'{data["videos"][1]}.json').write_text(
        json.dumps(_as_prediction(_video(data, data['videos'][1]))))
    assert eval_posetrack.main([str(gt), str(pred_dir)]) == 1
    err = capsys.readouterr().err
    assert f'{name}.json: frame 0 ("images/val/{name}/000000.jpg"): field "track_id"' in err


def _video_detections(data: dict, name: str, path: Path) -> Path:
    """The synthetic detections of one video, keyed by frame file name."""
    frames = {image['id']: Path(image['file_name']).name
              for image in _video(data, name)['images']}
    entries = [{**d, 'file_name': frames[d.pop('image_id')]}
               for d in json.loads(Path(data['detections']).read_text())
               if d['image_id'] in frames]
    path.write_text(json.dumps(entries))
    return path


def test_infer_tracks_a_folder_into_posetrack_format(data, pose, tmp_path, capsys):
    name = data['videos'][0]
    frames = Path(data['img_dir']) / name
    boxes = _video_detections(data, name, tmp_path / 'boxes.json')
    out = tmp_path / 'out'
    assert infer.main([*pose, '--input', str(frames), '--bboxes', str(boxes), '--track',
                       '--flow', '--format', 'posetrack', 'coco', '--no-vis',
                       '--out-dir', str(out)]) == 0
    assert not list(out.glob('*.partial.jsonl'))
    result = json.loads((out / f'{name}.json').read_text())
    assert result['categories'][0]['keypoints'] == list(POSETRACK18_KEYPOINTS)
    assert [image['file_name'] for image in result['images']] == [
        f'{name}/{i:06d}.jpg' for i in range(NUM_FRAMES)]
    assert [image['frame_id'] for image in result['images']] == list(range(NUM_FRAMES))
    for image in result['images']:
        ids = [a['track_id'] for a in result['annotations'] if a['image_id'] == image['id']]
        assert len(ids) == len(set(ids)) and all(isinstance(i, int) for i in ids)
    for ann in result['annotations']:
        kpts = np.asarray(ann['keypoints']).reshape(17, 3)
        assert len(ann['scores']) == 17 and kpts[:, 2].tolist() == ann['scores']
        # A COCO-keypoint model has no head_bottom and head_top: stored as absent.
        assert not kpts[1:3].any() and kpts[5:].any(-1).all()
    # The same persons in the COCO records, with the same track ids.
    records = json.loads((out / 'predictions.json').read_text())
    assert sorted(r['track_id'] for r in records) == sorted(
        a['track_id'] for a in result['annotations'])

    gt_dir = tmp_path / 'gt'
    gt_dir.mkdir()
    shutil.copy(Path(data['ann_dir']) / f'{name}.json', gt_dir)
    report = _evaluate(tmp_path / 'eval', gt_dir, {name: result}, capsys)
    # No head_bottom or head_top predicted: nothing of theirs is detected.
    assert report['counts']['detections']['head_bottom'] == 0
    assert report['counts']['detections']['head_top'] == 0
    assert report['counts']['objects']['nose'] > 0


def test_infer_refuses_posetrack_without_a_sequence(pose, tmp_path, capsys):
    image = next((DATA_ROOT / 'coco').glob('*.jpg'))
    assert infer.main([*pose, '--input', str(image), '--format', 'posetrack',
                       '--out-dir', str(tmp_path / 'a')]) == 1
    assert 'the posetrack format needs track ids' in capsys.readouterr().err
    assert infer.main([*pose, '--input', str(DATA_ROOT / 'coco'), '--format', 'posetrack',
                       '--out-dir', str(tmp_path / 'b')]) == 1
    assert '--track' in capsys.readouterr().err


def test_posetrack_video_names_give_posetrack_frame_ids(pose, tmp_path, capsys):
    # The real PoseTrack18 sample: the written frame id equals the dataset's own.
    sample = DATA_ROOT / 'posetrack18'
    frames = sample / 'images' / 'val' / '003418_mpii_test'
    out = tmp_path / 'out'
    assert infer.main([*pose, '--input', str(frames), '--track', '--format', 'posetrack',
                       '--no-vis', '--out-dir', str(out)]) == 0
    result = json.loads((out / '003418_mpii_test.json').read_text())
    gt = json.loads((sample / 'annotations' / 'val' / '003418_mpii_test.json').read_text())
    assert [i['id'] for i in result['images']] == [i['id'] for i in gt['images']]
    assert result['images'][0]['vid_id'] == gt['images'][0]['vid_id'] == '003418'


def test_track_posetrack_runs_every_video(data, pose, tmp_path, capsys):
    out = tmp_path / 'out'
    root = Path(data['out_dir'])
    assert track_posetrack.main([*pose, '--data-root', str(root), '--out-dir', str(out),
                                 '--bbox-thr', '0.3']) == 0
    printed = capsys.readouterr().out
    assert '& MOTA &' in printed and f'{len(data["videos"])} videos' in printed
    scores = json.loads((out / 'scores.json').read_text())
    assert set(scores) >= {'mAP', 'MOTA', 'MOTP', 'Precision', 'Recall', 'per_joint'}
    assert scores['videos'] == 2
    assert scores['frames'] == sum(
        len({a['image_id'] for a in _video(data, name)['annotations']})
        for name in data['videos'])
    for name in data['videos']:
        written = json.loads((out / 'results' / f'{name}.json').read_text())
        assert len(written['images']) == NUM_FRAMES
    assert track_posetrack.main([*pose, '--data-root', str(tmp_path / 'nowhere'),
                                 '--out-dir', str(out)]) == 1
    assert 'track_posetrack.py: error:' in capsys.readouterr().err
