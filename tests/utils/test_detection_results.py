"""COCO detection-results files: the real sample file, and malformed ones named precisely."""
import json

import numpy as np
import pytest

from hrnet_plugin.utils import read_detection_results


def test_reads_the_sample_detections(data_root):
    path = data_root / 'coco' / 'test_coco_det_AP_H_56.json'
    entries = json.loads(path.read_text())
    results = read_detection_results(path, require=('image_id', 'category_id', 'score'))
    assert len(results) == len(entries) == 118 and results.num_other_categories == 0
    by_id = results.by_image_id()
    assert sorted(by_id) == sorted({e['image_id'] for e in entries})
    first = entries[0]
    boxes = by_id[first['image_id']]
    assert len(boxes) == sum(e['image_id'] == first['image_id'] for e in entries)
    np.testing.assert_allclose(boxes[0], [*first['bbox'], first['score']], rtol=1e-6)
    assert results.by_file_name() == {}


def test_file_names_categories_and_defaults(tmp_path):
    path = tmp_path / 'det.json'
    path.write_text(json.dumps([
        {'file_name': 'a/b/x.jpg', 'bbox': [1, 2, 3, 4]},
        {'image_id': 7, 'bbox': [0, 0, 1, 1], 'score': 0.5, 'category_id': 2},
        {'image_id': 7, 'bbox': [5, 6, 7, 8], 'score': 0.25, 'category_id': 1},
    ]))
    results = read_detection_results(path)
    assert results.num_other_categories == 1 and len(results) == 2
    np.testing.assert_array_equal(results.by_file_name()['x.jpg'], [[1, 2, 3, 4, 1]])
    np.testing.assert_array_equal(results.by_image_id()[7], [[5, 6, 7, 8, 0.25]])
    other = read_detection_results(path, category_id=2)
    np.testing.assert_array_equal(other.by_image_id()[7], [[0, 0, 1, 1, 0.5]])


@pytest.mark.parametrize('content, message', [
    ('{"image_id": 1}', r'expected a json list of detections .* got a dict'),
    ('[1, 2', 'is not valid json'),
    ('[[1, 2, 3, 4]]', r'entry \[0\] is not a json object'),
    ('[{"image_id": 1, "score": 1}]', r"entry \[0\] lacks field\(s\) \['bbox'\]"),
    ('[{"bbox": [1, 2, 3, 4]}]', r"entry \[0\] lacks field\(s\) \['image_id'\]"),
    ('[{"image_id": 1, "bbox": [1, 2, 3, 4]}, {"image_id": 1, "bbox": [1, 2, 3]}]',
     r'entry \[1\]: "bbox" must be \[x, y, w, h\], 4 numbers, got \[1, 2, 3\]'),
    ('[{"image_id": 1, "bbox": [1, "2", 3, 4]}]', r'"bbox" must be .* got \[1, \'2\', 3, 4\]'),
    ('[{"image_id": 1, "bbox": [1, 2, 3, 4], "score": null}]', '"score" must be a number'),
    ('[{"image_id": "1", "bbox": [1, 2, 3, 4]}]', '"image_id" must be an integer, got \'1\''),
    ('[{"image_id": true, "bbox": [1, 2, 3, 4]}]', '"image_id" must be an integer, got True'),
    ('[{"file_name": 3, "bbox": [1, 2, 3, 4]}]', '"file_name" must be a string, got 3'),
])
def test_malformed_files_name_entry_field_and_value(tmp_path, content, message):
    path = tmp_path / 'det.json'
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as error:
        read_detection_results(path)
    assert str(path) in str(error.value)


def test_required_fields(tmp_path):
    path = tmp_path / 'det.json'
    path.write_text('[{"image_id": 1, "bbox": [1, 2, 3, 4]}]')
    with pytest.raises(ValueError, match=r"lacks field\(s\) \['category_id', 'score'\]"):
        read_detection_results(path, require=('category_id', 'score'))
