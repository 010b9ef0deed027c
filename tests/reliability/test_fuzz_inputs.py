"""Property tests of the input validators and of box preparation on arbitrary inputs: the
sample annotation and detection files with one random mutation, arbitrary box arrays. Each
ends in a documented error (ValueError or FileNotFoundError naming the file) or a valid
result, never in an exception from deep inside numpy, xtcocotools or mmpose."""
import copy
import functools
import json
import math
from pathlib import Path
from typing import Any, List, Tuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays
from mmengine.registry import init_default_scope
from mmpose.registry import DATASETS

from hrnet_plugin.apis import estimate_poses, init_pose_model, prepare_bboxes
from hrnet_plugin.utils import read_detection_results

from ..configs.samples import sample_dataset_cfg
from ..conftest import DATA_ROOT
from ..tools.runs import write_tiny_config

COCO = json.loads((DATA_ROOT / 'coco' / 'test_coco.json').read_text())
MPII = json.loads((DATA_ROOT / 'mpii' / 'test_mpii.json').read_text())
DETECTIONS = json.loads((DATA_ROOT / 'coco' / 'test_coco_det_AP_H_56.json').read_text())
# What a json value may become: anything json (and Python's json module) can hold.
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.text(max_size=5),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, 1, 2, 3, -1, 0.5]))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=3), children,
                                                    max_size=3)), max_leaves=6)


def _paths(value: Any, prefix: Tuple = ()) -> List[Tuple]:
    """Every path (keys and indices) into a json value, the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):  # the first few entries of long lists
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw, content: Any):
    """``content`` with one random change at one random place: a new value, a deletion, a
    duplicated entry, or a list cut short."""
    content = copy.deepcopy(content)
    path = draw(st.sampled_from(_paths(content)))
    if not path:
        return draw(JSON_VALUES)
    parent = content
    for key in path[:-1]:
        parent = parent[key]
    key, action = path[-1], draw(st.sampled_from(['replace', 'delete', 'duplicate', 'cut']))
    if action == 'replace':
        parent[key] = draw(JSON_VALUES)
    elif action == 'delete':
        del parent[key]
    elif action == 'duplicate' and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif isinstance(parent[key], list):
        parent[key] = parent[key][:draw(st.integers(0, max(len(parent[key]) - 1, 0)))]
    return content


@pytest.fixture(scope='module')
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp('fuzz') / 'mutated.json'


@functools.cache
def _metainfo(dataset: str) -> dict:
    """The dataset's keypoint metadata, read once (mmpose reads its file at every build)."""
    init_default_scope('mmpose')
    return dict(DATASETS.get(sample_dataset_cfg(dataset, 'val').type).METAINFO)


def _build(dataset: str, path: Path) -> int:
    init_default_scope('mmpose')
    # Unserialized: mmengine's serialization runs a full garbage collection per dataset.
    return len(DATASETS.build(sample_dataset_cfg(dataset, 'val', ann_file=str(path),
                                                 metainfo=_metainfo(dataset),
                                                 serialize_data=False)))


@pytest.mark.parametrize('dataset, sample', [('coco', COCO), ('mpii', MPII)])
@given(data=st.data())
def test_mutated_annotation_file_is_refused_or_loads(scratch, dataset, sample, data):
    content = data.draw(mutated(sample))
    scratch.write_text(json.dumps(content))
    try:
        size = _build(dataset, scratch)
    except (ValueError, FileNotFoundError) as error:
        assert str(scratch) in str(error) or 'bbox_file' in str(error), error
    else:
        assert size > 0


@given(content=mutated(DETECTIONS))
def test_mutated_detection_file_is_refused_or_read(scratch, content):
    scratch.write_text(json.dumps(content))
    try:
        results = read_detection_results(scratch)
    except ValueError as error:
        assert str(scratch) in str(error), error
    else:
        assert results.boxes.shape == (len(results), 5) and results.boxes.dtype == np.float32
        assert len(results.file_names) == len(results.image_ids) == len(results)
        scores = results.boxes[:, 4]
        assert ((scores >= 0) & (scores <= 1)).all()


BOX_VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.floats(-50, 200, width=32), st.sampled_from([0.0, 1.0, 1e39]))


@st.composite
def box_arrays(draw):
    """Box arrays of any float dtype and shape (mostly (N, 4) or (N, 5)), arbitrary values."""
    columns = draw(st.sampled_from([4, 5, 5, 3, 6]))
    shape = draw(st.one_of(st.tuples(st.integers(0, 6), st.just(columns)),
                           array_shapes(min_dims=0, max_dims=3, max_side=4)))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.float16, np.int64]))
    elements = BOX_VALUES if dtype != np.int64 else st.integers(-10**6, 10**6)
    return draw(arrays(dtype, shape, elements=elements))


@given(boxes=box_arrays(), height=st.integers(1, 100), width=st.integers(1, 100),
       bbox_format=st.sampled_from(['xyxy', 'xywh']))
def test_prepare_bboxes_on_arbitrary_arrays(boxes, height, width, bbox_format):
    try:
        kept, scores, dropped = prepare_bboxes(boxes, (height, width), bbox_format)
    except ValueError as error:
        assert 'box' in str(error), error
        return
    assert kept.shape == (len(scores), 4) and dropped == len(boxes) - len(kept)
    assert np.isfinite(kept).all() and ((scores >= 0) & (scores <= 1)).all()
    assert ((kept >= 0) & (kept <= [width, height, width, height])).all()
    assert ((kept[:, 2] > kept[:, 0]) & (kept[:, 3] > kept[:, 1])).all()


@pytest.fixture(scope='module')
def tiny_model(tmp_path_factory):
    """The tiny HRNet at 64 x 64 without flip test: the boxes are under test, not the model."""
    config = write_tiny_config(tmp_path_factory.mktemp('tiny'), 'coco')
    return init_pose_model(config, cfg_options={'model.test_cfg.flip_test': False})


@given(boxes=st.lists(st.one_of(st.none(), box_arrays()), min_size=1, max_size=2),
       data=st.data())
def test_estimate_poses_on_arbitrary_boxes(tiny_model, boxes, data):
    images = [np.full((data.draw(st.integers(1, 40)), data.draw(st.integers(1, 40)), 3),
                      data.draw(st.integers(0, 255)), np.uint8) for _ in boxes]
    try:
        results = estimate_poses(tiny_model, images, boxes, batch_size=4)
    except ValueError as error:
        assert 'box' in str(error), error
        return
    assert len(results) == len(images)
    for result, image, given_boxes in zip(results, images, boxes, strict=True):
        instances = result.pred_instances
        expected = 1 if given_boxes is None else len(given_boxes) - result.metainfo[
            'num_dropped_bboxes']
        assert len(instances) == expected
        assert np.isfinite(instances.keypoints).all() and np.isfinite(instances.bboxes).all()
        height, width = image.shape[:2]
        assert ((instances.bboxes >= 0) & (instances.bboxes <= [width, height] * 2)).all()
        assert not math.isnan(float(np.sum(instances.keypoint_scores)))
