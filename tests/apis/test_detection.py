"""Detector pipeline: batched detection equals mmdet's per-image inference; box selection and
the pipeline's outputs (tracking: test_tracking.py)."""
import cv2
import numpy as np
import pytest
import torch
from mmdet.apis import inference_detector
from mmengine.registry import DefaultScope
from mmpose.structures.bbox import bbox_overlaps

from hrnet_plugin.apis import (
    TopDownPipeline,
    init_detector,
    init_pose_model,
    prepare_bboxes,
    select_person_boxes,
)

from .helpers import COCO_IMAGES, tiny_pose_config, write_pose_files, write_rtmdet_files


@pytest.fixture(scope='module')
def rtmdet_files(tmp_path_factory):
    return write_rtmdet_files(tmp_path_factory.mktemp('rtmdet'))


@pytest.fixture(scope='module')
def detector(rtmdet_files):
    return init_detector(*rtmdet_files)


@pytest.fixture(scope='module')
def pose_model(tmp_path_factory):
    return init_pose_model(*write_pose_files(tiny_pose_config(), tmp_path_factory.mktemp('p')))


@pytest.fixture(scope='module')
def frames():
    return [cv2.imread(str(path)) for path in COCO_IMAGES]


@pytest.fixture(scope='module')
def pipeline(detector, pose_model):
    # Batches of 3 frames: the 4 sample images of different sizes make a full and a partial one.
    return TopDownPipeline(pose_model, detector, bbox_thr=0.5, nms_thr=0.3, batch_size=8,
                           det_batch_size=3)


@pytest.fixture(scope='module')
def detected(pipeline, frames):
    return pipeline.detect(frames)


def test_batched_detection_equals_mmdet(detector, frames, detected):
    """Batched detection == mmdet's inference_detector one frame at a time, followed by the
    same person filtering."""
    assert len(detected) == len(frames)
    for got, frame in zip(detected, frames):
        # mmdet's API builds its pipeline in the current default scope, as mmdet's tools set it.
        with DefaultScope.overwrite_default_scope('mmdet'):
            pred = inference_detector(detector, frame).pred_instances
        pred = pred[pred.labels == 0]
        boxes = torch.cat([pred.bboxes, pred.scores[:, None]], 1).numpy()
        expected = select_person_boxes(boxes, 0.5, 0.3)
        assert got.shape == expected.shape and len(got) > 0
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-3)
        assert (got[:, 4] > 0.5).all()
        ious = bbox_overlaps(torch.from_numpy(got[:, :4]), torch.from_numpy(got[:, :4])).numpy()
        assert (ious[np.triu_indices(len(got), 1)] <= 0.3).all()


def test_pipeline_estimates_poses_in_detected_boxes(pipeline, frames, detected):
    results = pipeline([*frames[:2], str(COCO_IMAGES[2])])
    assert len(results) == 3 and len(detected) >= 2
    for result, frame, frame_boxes in zip(results, frames, detected):
        # The detected boxes, clipped to the frame, those without area dropped (and counted).
        boxes, scores, dropped = prepare_bboxes(frame_boxes, frame.shape[:2])
        inst = result.pred_instances
        assert inst.keypoints.shape == (len(boxes), 17, 2)
        assert inst.keypoint_scores.shape == (len(boxes), 17)
        np.testing.assert_array_equal(inst.bboxes, boxes)
        np.testing.assert_array_equal(inst.bbox_scores, scores)
        assert result.num_dropped_bboxes == dropped
    assert results[2].img_path == str(COCO_IMAGES[2])
    # Given boxes skip the detector; only bbox_thr filters them.
    given, = pipeline(frames[0], [np.array([[10, 10, 100, 200, 0.9], [5, 5, 50, 50, 0.2]])])
    np.testing.assert_array_equal(given.pred_instances.bboxes, [[10, 10, 100, 200]])


def test_select_person_boxes_hand_computed():
    boxes = np.array([[0, 0, 10, 10, 0.9],
                      [1, 1, 11, 11, 0.8],   # IoU with the first (mmpose's +1 areas): 0.70
                      [20, 20, 30, 30, 0.7],
                      [0, 0, 5, 5, 0.2]], np.float32)  # below bbox_thr
    np.testing.assert_array_equal(select_person_boxes(boxes, 0.3, 0.3), boxes[[0, 2]])
    np.testing.assert_array_equal(select_person_boxes(boxes, 0.3, 0.75), boxes[:3])
    np.testing.assert_array_equal(select_person_boxes(boxes, 0.3), boxes[:3])
    assert select_person_boxes(np.zeros((0, 5)), 0.3, 0.3).shape == (0, 5)


def test_init_detector_checkpoint_errors(rtmdet_files, tmp_path):
    config, _ = rtmdet_files
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        init_detector(config, tmp_path / 'missing.pth')
