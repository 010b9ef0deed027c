"""The benchmark's COCO sample loaders, checked against the json files they read."""
import json

import numpy as np
import pytest

from hrnet_plugin.benchmark.coco_samples import (
    ANNOTATIONS,
    BBOX_THR,
    DETECTIONS,
    coco_detections,
    coco_keypoints,
)


def test_detections_are_the_json_boxes_above_the_threshold(data_root):
    coco = data_root / 'coco'
    entries = json.loads((coco / DETECTIONS).read_text())
    images = coco_detections(coco)
    assert [p.rsplit('/', 1)[-1] for p, _ in images] == [
        i['file_name'] for i in json.loads((coco / ANNOTATIONS).read_text())['images']]
    for path, boxes in images:
        image_id = int(path.rsplit('/', 1)[-1].split('.')[0])
        expected = [e['bbox'] for e in entries
                    if e['image_id'] == image_id and e['score'] >= BBOX_THR]
        xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
        np.testing.assert_allclose(xywh, np.reshape(expected, (-1, 4)), atol=1e-4)
    assert sum(map(len, (b for _, b in images))) < len(entries)   # the threshold removed some


def test_keypoints_map_back_to_the_annotations(data_root):
    coco = data_root / 'coco'
    annotations = [a for a in json.loads((coco / ANNOTATIONS).read_text())['annotations']
                   if a['num_keypoints'] > 0]
    keypoints, visible = coco_keypoints(coco, (192, 256))
    assert keypoints.shape == (len(annotations), 17, 2) and visible.shape == (len(annotations), 17)
    for points, seen, ann in zip(keypoints, visible, annotations, strict=True):
        x, y, w, h = ann['bbox']
        raw = np.reshape(ann['keypoints'], (17, 3))
        np.testing.assert_allclose(points / (192, 256) * (w, h) + (x, y), raw[:, :2], atol=1e-3)
        np.testing.assert_array_equal(seen, raw[:, 2] > 0)


def test_missing_sample_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=f'COCO sample file .*{ANNOTATIONS} does not exist'):
        coco_detections(tmp_path)
