"""Scenes: keypoint visibility from the drawn masks, figure placement and annotation."""
import itertools

import numpy as np

from hrnet_plugin.synthetic.appearance import sample_appearance
from hrnet_plugin.synthetic.pose import place_pose, sample_pose
from hrnet_plugin.synthetic.render import draw_figures, render_labels
from hrnet_plugin.synthetic.scene import annotate_figures, keypoint_visibility, sample_scene

SIZE = (256, 192)  # W, H


def test_keypoint_visibility_from_masks():
    masks = np.zeros((2, 20, 30), bool)
    masks[1, 5:10, 5:10] = True  # the later figure covers (7, 7)
    keypoints = np.zeros((2, 17, 2))
    keypoints[0, :4] = [(7, 7), (20, 15), (-1, 5), (29.0, 19.0)]  # (W-1, H-1) is inside
    keypoints[1, :2] = [(7, 7), (30, 5)]
    self_hidden = np.zeros((2, 17), bool)
    self_hidden[0, 3] = True
    visibility = keypoint_visibility(keypoints, masks, self_hidden)
    assert visibility[0, :4].tolist() == [1, 2, 0, 1]  # covered, visible, outside, self-hidden
    assert visibility[1, :2].tolist() == [2, 0]  # the last figure is never covered; x > W - 1


def test_figure_cut_by_the_border_loses_keypoints():
    rng = np.random.default_rng(3)
    pose = place_pose(sample_pose(rng, 150.0), (0.0, 96.0), 0.0)
    labels = render_labels(pose, sample_appearance(rng), SIZE)
    keypoints = pose.points[None, :17]
    visibility = keypoint_visibility(keypoints, (labels > 0)[None], np.zeros((1, 17), bool))[0]
    assert (visibility[keypoints[0, :, 0] < 0] == 0).all()
    assert (visibility[keypoints[0, :, 0] > 0] > 0).all()
    assert 0 < (visibility == 0).sum() < 17


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two x0, y0, x1, y1 boxes, by hand."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(width, 0.0) * max(height, 0.0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def test_scene_figures_seldom_overlap():
    rng = np.random.default_rng(0)
    counts = []
    for _ in range(50):
        poses = sample_scene(rng, SIZE, max_figures=4)
        counts.append(len(poses))
        boxes = [np.concatenate([p.points.min(axis=0), p.points.max(axis=0)]) for p in poses]
        for a, b in itertools.combinations(boxes, 2):
            assert _iou(a, b) < 0.4
    assert min(counts) >= 1 and max(counts) == 4


def test_annotations_follow_the_figures_and_skip_hidden_ones():
    rng = np.random.default_rng(1)
    poses = [place_pose(sample_pose(rng, 120.0), (128.0, 100.0), 0.0) for _ in range(2)]
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    masks = draw_figures(image, poses, [sample_appearance(rng) for _ in poses])
    assert masks.shape == (2, SIZE[1], SIZE[0]) and masks.any(axis=(1, 2)).all()
    assert (image.any(axis=2) == masks.any(axis=0)).all()
    # A third figure covering the whole image hides both: only it is annotated, in its place.
    cover = place_pose(sample_pose(rng, 150.0), (128.0, 100.0), 0.0)
    everything = np.concatenate([masks, np.ones((1, SIZE[1], SIZE[0]), bool)])
    first, second, third = annotate_figures([*poses, cover], everything)
    assert first is None and second is None
    assert third.bbox == (0, 0, SIZE[0], SIZE[1]) and third.area == SIZE[0] * SIZE[1]
    assert third.front == cover.front
    (alone,) = annotate_figures(poses[:1], masks[:1])
    assert alone is not None and (alone.keypoints[:, 2] == 2).sum() >= 3
