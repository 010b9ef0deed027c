"""Inputs (images, folders, videos, detection files), COCO records, the result writers and
drawing, on hand-made data."""
import json

import cv2
import numpy as np
import pytest
from mmengine.structures import InstanceData
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.structures import PoseDataSample

from hrnet_plugin.apis import (
    DetectionFile,
    Frame,
    InputSource,
    coco_keypoint_records,
    draw_pose,
    read_image,
    to_bgr,
)
from hrnet_plugin.apis.io import image_id_from_name
from hrnet_plugin.apis.writers import CocoKeypointsWriter, JsonLinesWriter, read_frame_records

from .helpers import COCO_DIR, COCO_IMAGES, write_video


def _sample(keypoints, scores, bboxes, bbox_scores):
    sample = PoseDataSample()
    sample.pred_instances = InstanceData(
        keypoints=np.asarray(keypoints, np.float32), keypoint_scores=np.asarray(scores, np.float32),
        bboxes=np.asarray(bboxes, np.float32), bbox_scores=np.asarray(bbox_scores, np.float32))
    return sample


def test_to_bgr_and_read_image(tmp_path):
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    np.testing.assert_array_equal(to_bgr(gray), np.repeat(gray[..., None], 3, axis=2))
    np.testing.assert_array_equal(to_bgr(gray[..., None]), to_bgr(gray))
    bgra = np.dstack([np.full((3, 4, 3), 7, np.uint8), np.zeros((3, 4), np.uint8)])
    np.testing.assert_array_equal(to_bgr(bgra), bgra[..., :3])
    with pytest.raises(ValueError, match=r'\(H, W, 4\)'):
        to_bgr(np.zeros((3, 4, 2), np.uint8))
    cv2.imwrite(str(tmp_path / 'rgba.png'), bgra)
    np.testing.assert_array_equal(read_image(tmp_path / 'rgba.png'), bgra[..., :3])
    (tmp_path / 'bad.jpg').write_bytes(b'\x00' * 10)
    with pytest.raises(ValueError, match='cannot decode'):
        read_image(tmp_path / 'bad.jpg')
    with pytest.raises(FileNotFoundError, match='nope.jpg'):
        read_image(tmp_path / 'nope.jpg')


def test_image_ids_from_names():
    assert image_id_from_name('000000000785.jpg', 7) == 785
    assert image_id_from_name('COCO_val2014_000000000785.jpg', 7) == 785
    assert image_id_from_name('frame.png', 7) == 7


def test_input_source_kinds(tmp_path):
    folder = InputSource(COCO_DIR)
    assert folder.kind == 'folder' and len(folder) == 4
    assert folder.image_ids() == [785, 40083, 196141, 197388]
    frames = list(folder.frames())
    assert [f.name for f in frames] == [p.name for p in COCO_IMAGES]
    assert frames[1].image.shape == (333, 500, 3)
    single = InputSource(COCO_IMAGES[0])
    assert single.kind == 'image' and single.names() == [COCO_IMAGES[0].name]
    video = InputSource(write_video(tmp_path / 'v.mp4', num_frames=3, size=(64, 48)))
    assert video.kind == 'video' and len(video) == 3 and video.fps == 5
    assert [(f.index, f.image_id, f.image.shape) for f in video.frames()] == \
        [(i, i, (48, 64, 3)) for i in range(3)]
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no image files'):
        InputSource(tmp_path / 'empty')
    with pytest.raises(FileNotFoundError, match='input not found'):
        InputSource(tmp_path / 'missing.jpg')


def test_detection_file_matching(tmp_path, caplog):
    path = tmp_path / 'det.json'
    path.write_text(json.dumps([
        {'image_id': 785, 'bbox': [10, 20, 30, 40], 'score': 0.5, 'category_id': 1},
        {'file_name': 'dir/a.jpg', 'bbox': [1, 2, 3, 4], 'category_id': 1},
        {'image_id': 785, 'bbox': [0, 0, 1, 1], 'score': 0.9, 'category_id': 2},
        {'image_id': 5, 'bbox': [0, 0, 1, 1], 'score': 0.9},
    ]))
    detections = DetectionFile(path)
    boxes = detections.boxes(Frame(0, 785, '000000000785.jpg', None))
    np.testing.assert_allclose(boxes, [[10, 20, 40, 60, 0.5]])
    np.testing.assert_allclose(detections.boxes(Frame(1, 1, 'a.jpg', None)), [[1, 2, 4, 6, 1]])
    assert detections.boxes(Frame(2, 9, 'b.jpg', None)).shape == (0, 5)
    assert detections.check_coverage(['a.jpg'], [785]) == 1
    assert '1 of 3 person detections refer to no input image' in caplog.text
    with pytest.raises(ValueError, match='none of its 3 person detections'):
        detections.check_coverage(['b.jpg'], [1])
    path.write_text(json.dumps([{'image_id': 1, 'score': 1}]))
    with pytest.raises(ValueError, match=r"det.json: entry \[0\] lacks field\(s\) \['bbox'\]"):
        DetectionFile(path)


def test_coco_keypoint_records_hand_computed():
    sample = _sample(keypoints=[[[1, 2], [3, 4], [5, 6]]], scores=[[0.9, 0.1, 0.5]],
                     bboxes=[[10, 20, 40, 60]], bbox_scores=[0.8])
    sample.pred_instances.track_ids = np.array([7])
    record, = coco_keypoint_records(sample, 785, extra={'frame_index': 3})
    assert record == {'image_id': 785, 'category_id': 1,
                      'keypoints': [1, 2, 0.9, 3, 4, 0.1, 5, 6, 0.5],
                      # box score x mean of the keypoint scores above 0.2: 0.8 * (0.9 + 0.5) / 2
                      'score': pytest.approx(0.56), 'bbox': [10, 20, 30, 40], 'track_id': 7,
                      'frame_index': 3}
    empty = _sample(np.zeros((0, 3, 2)), np.zeros((0, 3)), np.zeros((0, 4)), np.zeros(0))
    assert coco_keypoint_records(empty, 1) == []


def _frames_and_results():
    """Three frames of a folder: 2 persons, none, 1 person."""
    results = [_sample(np.full((n, 3, 2), i, np.float32), np.full((n, 3), 0.5, np.float32),
                       np.tile([[0., 0, 4, 4]], (n, 1)), np.ones(n))
               for i, n in enumerate((2, 0, 1))]
    frames = [Frame(i, 10 + i, f'{i}.jpg', None) for i in range(3)]
    return frames, results


def test_json_lines_writer_streams_every_frame(tmp_path):
    source = InputSource(COCO_IMAGES[0])
    frames, results = _frames_and_results()
    writer = JsonLinesWriter(tmp_path, source, {})
    for frame, result in zip(frames[:2], results[:2]):
        writer.write(frame, result)
    # Before close (e.g. the run died): every frame so far is on disk, persons or not.
    lines = [json.loads(line) for line in (tmp_path / 'predictions.jsonl').read_text()
             .splitlines()]
    assert [(r['file_name'], r['image_id'], len(r['persons'])) for r in lines] == \
        [('0.jpg', 10, 2), ('1.jpg', 11, 0)]
    assert lines[0]['persons'][0] == coco_keypoint_records(results[0], 10,
                                                           extra={'file_name': '0.jpg'})[0]
    writer.write(frames[2], results[2])
    assert writer.close() == [tmp_path / 'predictions.jsonl']
    # A line cut short by a crash is not a record.
    with open(tmp_path / 'predictions.jsonl', 'a') as file:
        file.write('{"file_name": "3.jpg", "ima')
    assert [r['image_id'] for r in read_frame_records(tmp_path / 'predictions.jsonl')] == \
        [10, 11, 12]


def test_coco_keypoints_writer_finalises_atomically(tmp_path):
    source = InputSource(COCO_IMAGES[0])
    frames, results = _frames_and_results()
    (tmp_path / 'predictions.json').write_text('["an earlier run"]')
    with pytest.raises(RuntimeError), CocoKeypointsWriter(tmp_path, source, {}) as writer:
        writer.write(frames[0], results[0])
        raise RuntimeError('the run fails')
    # The earlier result is intact; the stream of the failed run keeps its frame.
    assert json.loads((tmp_path / 'predictions.json').read_text()) == ['an earlier run']
    assert len(list(read_frame_records(tmp_path / 'predictions.partial.jsonl'))) == 1
    with CocoKeypointsWriter(tmp_path, source, {}) as writer:
        for frame, result in zip(frames, results):
            writer.write(frame, result)
    records = json.loads((tmp_path / 'predictions.json').read_text())
    assert [(r['image_id'], r['file_name']) for r in records] == \
        [(10, '0.jpg'), (10, '0.jpg'), (12, '2.jpg')]
    assert records[2] == coco_keypoint_records(results[2], 12, extra={'file_name': '2.jpg'})[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ['predictions.json']


def test_draw_pose_colours_by_score():
    meta = parse_pose_metainfo({'from_file': 'configs/_base_/datasets/coco.py'})
    keypoints = np.zeros((1, 17, 2), np.float32)
    keypoints[0, :, 0] = np.arange(17) * 20 + 20
    keypoints[0, :, 1] = 50
    scores = np.full((1, 17), 0.1, np.float32)
    scores[0, 0], scores[0, 1] = 1.0, 0.4  # nose: green; left eye: orange-red
    sample = _sample(keypoints, scores, [[5, 5, 395, 95]], [0.9])
    canvas = draw_pose(np.zeros((100, 400, 3), np.uint8), sample, meta, kpt_thr=0.3,
                       thickness=2)
    np.testing.assert_array_equal(canvas[50, 20], [0, 255, 0])
    np.testing.assert_array_equal(canvas[50, 40], [0, 204, 255])  # 0.4: G 2*0.4, R 1
    assert not canvas[50, 60].any()  # below kpt_thr: not drawn
    # The nose-left eye link (both visible) is drawn between them, in its skeleton colour.
    link = [tuple(pair) for pair in meta['skeleton_links']].index((0, 1))
    assert canvas[50, 30].tolist() == meta['skeleton_link_colors'][link][::-1].tolist()
    assert canvas[5, 200].tolist() == [0, 255, 0]  # box edge


def test_unplaced_keypoints_are_stored_as_zeros_with_score_zero():
    sample = _sample(keypoints=[[[np.nan, np.nan], [3, 4]]], scores=[[0.0, np.inf]],
                     bboxes=[[10, 20, 40, 60]], bbox_scores=[0.8])
    record, = coco_keypoint_records(sample, 1)
    assert record['keypoints'] == [0, 0, 0, 0, 0, 0]
    assert record['score'] == 0 and json.loads(json.dumps(record, allow_nan=False)) == record
    assert np.isnan(sample.pred_instances.keypoints[0, 0]).all()  # the sample is not changed
