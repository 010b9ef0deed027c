"""inference_topdown / estimate_poses / init_pose_model: equal to mmpose's inference on the COCO
samples, and the box, image-format and checkpoint handling around it."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.apis import inference_topdown as mmpose_inference_topdown
from mmpose.apis import init_model as mmpose_init_model
from mmpose.structures import merge_data_samples

from hrnet_plugin.apis import estimate_poses, inference_topdown, init_pose_model, prepare_bboxes

from .helpers import COCO_IMAGES, W32_CONFIG, coco_detections, tiny_pose_config, write_pose_files

# Detections of the AP-56 detector above this score: 7 persons over the 4 images (3, 2, 1, 1),
# few enough for two W32 runs on 2 CPU cores.
BOX_SCORE_THR = 0.999


@pytest.fixture(scope='module')
def w32_models(tmp_path_factory):
    """HRNet-W32 256x192 with seeded random weights, loaded from one checkpoint by ours and by
    mmpose's init_model."""
    config, checkpoint = write_pose_files(Config.fromfile(str(W32_CONFIG)),
                                          tmp_path_factory.mktemp('w32'))
    return (init_pose_model(config, checkpoint),
            mmpose_init_model(str(config), str(checkpoint), device='cpu'))


@pytest.fixture(scope='module')
def tiny_files(tmp_path_factory):
    return write_pose_files(tiny_pose_config(), tmp_path_factory.mktemp('tiny'))


@pytest.fixture(scope='module')
def tiny_model(tiny_files):
    return init_pose_model(*tiny_files)


def _assert_same_poses(got, expected):
    """Two lists of PoseDataSample: same boxes, keypoints within 1e-3 px, scores within 1e-5."""
    assert len(got) == len(expected)
    for ours, ref in zip(got, expected):
        assert ours.img_path == ref.img_path and ours.ori_shape == ref.ori_shape
        np.testing.assert_array_equal(ours.pred_instances.bboxes, ref.pred_instances.bboxes)
        np.testing.assert_allclose(ours.pred_instances.keypoints, ref.pred_instances.keypoints,
                                   rtol=0, atol=1e-3)
        np.testing.assert_allclose(ours.pred_instances.keypoint_scores,
                                   ref.pred_instances.keypoint_scores, rtol=0, atol=1e-5)


@pytest.mark.parametrize('flip_test', [True, False])
def test_inference_topdown_equals_mmpose(w32_models, flip_test):
    """mmpose's contract: one sample per box, on each sample image with its detections, with
    flip test (the config's default) and without; keypoints within 1e-3 px."""
    ours_model, ref_model = w32_models
    for model in w32_models:
        model.test_cfg['flip_test'] = flip_test
    detections = coco_detections(BOX_SCORE_THR)
    assert sum(len(d) for d in detections.values()) == 7
    for path in COCO_IMAGES:
        boxes = detections[path.name][:, :4]
        got = inference_topdown(ours_model, str(path), boxes)
        expected = mmpose_inference_topdown(ref_model, str(path), boxes)
        assert len(got) == len(boxes)
        _assert_same_poses(got, expected)
    # Random weights, yet the keypoints are not degenerate (all at one spot).
    assert np.ptp(got[0].pred_instances.keypoints[..., 0]) > 10


def test_inference_topdown_without_boxes_equals_mmpose(w32_models):
    """No boxes, or an empty box array: the whole image is one box, as in mmpose; also for an
    image given as an array, and for boxes in xywh format."""
    ours_model, ref_model = w32_models
    path = str(COCO_IMAGES[1])
    image = cv2.imread(path)
    for boxes in (None, np.zeros((0, 4)), []):
        got = inference_topdown(ours_model, path, boxes)
        assert len(got) == 1
        np.testing.assert_array_equal(got[0].pred_instances.bboxes, [[0, 0, 500, 333]])
        _assert_same_poses(got, mmpose_inference_topdown(ref_model, path, boxes))
    _assert_same_poses(inference_topdown(ours_model, image),
                       mmpose_inference_topdown(ref_model, image))
    xywh = np.array([[20, 30, 200, 250]])
    _assert_same_poses(inference_topdown(ours_model, path, xywh, bbox_format='xywh'),
                       mmpose_inference_topdown(ref_model, path, xywh, bbox_format='xywh'))


def test_estimate_poses_batched_equals_mmpose(w32_models):
    """Crops of all images batched 3 at a time (batches mix images), merged per image == mmpose
    per image; box scores carried through."""
    ours_model, ref_model = w32_models
    detections = coco_detections(BOX_SCORE_THR)
    paths = [str(p) for p in COCO_IMAGES]
    ours = estimate_poses(ours_model, paths, [detections[p.name] for p in COCO_IMAGES],
                          batch_size=3)
    assert len(ours) == len(COCO_IMAGES)
    for path, result in zip(COCO_IMAGES, ours):
        boxes = detections[path.name]
        ref = merge_data_samples(mmpose_inference_topdown(ref_model, str(path), boxes[:, :4]))
        _assert_same_poses([result], [ref])
        assert result.pred_instances.keypoints.shape == (len(boxes), 17, 2)
        np.testing.assert_array_equal(result.pred_instances.bbox_scores, boxes[:, 4])


def test_prepare_bboxes_clips_and_drops():
    boxes = np.array([[-10, 5, 50, 500, 0.9],    # clipped to x >= 0, y <= 100
                      [20, 20, 20, 60, 0.8],     # zero width: dropped
                      [210, 10, 300, 90, 0.7],   # entirely right of the image: dropped
                      [np.nan, 0, 10, 10, 0.6],  # not finite: dropped
                      [10, 10, 30, 40, 0.5]])
    xyxy, scores, dropped = prepare_bboxes(boxes, (100, 200))
    np.testing.assert_array_equal(xyxy, [[0, 5, 50, 100], [10, 10, 30, 40]])
    np.testing.assert_allclose(scores, [0.9, 0.5])
    assert dropped == 3
    xyxy, scores, dropped = prepare_bboxes([[10, 20, 30, 40]], (100, 200), bbox_format='xywh')
    np.testing.assert_array_equal(xyxy, [[10, 20, 40, 60]])
    np.testing.assert_array_equal(scores, [1])
    with pytest.raises(ValueError, match=r'\(N, 4\) or \(N, 5\)'):
        prepare_bboxes(np.zeros((2, 3)), (100, 200))


def test_estimate_poses_clips_boxes_and_counts_empty_ones(tiny_model):
    image = cv2.imread(str(COCO_IMAGES[1]))  # 500 x 333
    clipped, whole = estimate_poses(
        tiny_model, [image, image], [np.array([[-50, -40, 250, 400], [5, 5, 5, 80]]), None])
    reference, = estimate_poses(tiny_model, [image], [np.array([[0, 0, 250, 333]])])
    assert clipped.num_dropped_bboxes == 1
    np.testing.assert_array_equal(clipped.pred_instances.bboxes, [[0, 0, 250, 333]])
    np.testing.assert_allclose(clipped.pred_instances.keypoints,
                               reference.pred_instances.keypoints, atol=1e-4)
    np.testing.assert_array_equal(whole.pred_instances.bboxes, [[0, 0, 500, 333]])
    # In the batched API an empty box array means no person (inference_topdown, as mmpose's,
    # uses the whole image instead).
    empty, = estimate_poses(tiny_model, [image], [np.zeros((0, 4))])
    assert empty.pred_instances.keypoints.shape == (0, 17, 2)
    assert empty.pred_instances.keypoint_scores.shape == (0, 17)
    assert empty.ori_shape == (333, 500)


def test_grayscale_and_rgba_inputs(tiny_model, tmp_path):
    """Grayscale and BGRA arrays and files give the result of their 3-channel BGR version."""
    bgr = cv2.imread(str(COCO_IMAGES[0]))
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    bgra = np.dstack([bgr, np.full(bgr.shape[:2], 128, np.uint8)])
    cv2.imwrite(str(tmp_path / 'gray.png'), gray)
    cv2.imwrite(str(tmp_path / 'rgba.png'), bgra)
    box = np.array([[270, 40, 510, 390]])
    results = estimate_poses(
        tiny_model, [cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), gray, gray[..., None],
                     str(tmp_path / 'gray.png'), bgr, bgra, str(tmp_path / 'rgba.png')],
        [box] * 7)
    keypoints = [r.pred_instances.keypoints for r in results]
    for got in keypoints[1:4]:
        np.testing.assert_array_equal(got, keypoints[0])
    for got in keypoints[5:]:
        np.testing.assert_array_equal(got, keypoints[4])
    assert not np.array_equal(keypoints[0], keypoints[4])


def test_init_pose_model_checkpoint_errors(tmp_path):
    missing = tmp_path / 'missing.pth'
    with pytest.raises(FileNotFoundError, match=str(missing)):
        init_pose_model(W32_CONFIG, missing)
    # Neither a file nor a model of the index (configs/README.md).
    with pytest.raises(ValueError, match="no model named 'td-hm_hrnet-w99_coco'"):
        init_pose_model('td-hm_hrnet-w99_coco')


def test_init_pose_model_loads_weights_and_meta(tmp_path):
    cfg = tiny_pose_config()
    config, checkpoint = write_pose_files(cfg, tmp_path, seed=3)
    saved = torch.load(checkpoint, weights_only=True)
    model = init_pose_model(config, checkpoint)
    assert not model.training
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, saved['state_dict'][name]), name
    assert model.dataset_meta['dataset_name'] == 'coco'
    assert model.dataset_meta['flip_indices'][1:3] == [2, 1]
    assert model.test_cfg['flip_test']
    options = {'model.test_cfg.flip_test': False}
    assert not init_pose_model(config, checkpoint, cfg_options=options).test_cfg['flip_test']


def test_fast_inference_options_keep_results(tiny_files, tiny_model):
    """init_pose_model hands BatchNorm fusion and channels_last to the performance module;
    the predictions stay those of the plain model (up to float rounding)."""
    fast = init_pose_model(*tiny_files, fuse_bn=True, channels_last=True)
    channels_last = torch.channels_last
    assert fast.backbone.conv2.weight.is_contiguous(memory_format=channels_last)
    assert not tiny_model.backbone.conv2.weight.is_contiguous(memory_format=channels_last)
    boxes = coco_detections(BOX_SCORE_THR)[COCO_IMAGES[0].name]
    got, = estimate_poses(fast, [str(COCO_IMAGES[0])], [boxes])
    expected, = estimate_poses(tiny_model, [str(COCO_IMAGES[0])], [boxes])
    np.testing.assert_allclose(got.pred_instances.keypoints, expected.pred_instances.keypoints,
                               atol=1e-3)
    np.testing.assert_allclose(got.pred_instances.keypoint_scores,
                               expected.pred_instances.keypoint_scores, atol=1e-4)
