"""PoseTracker on synthetic videos: the ground-truth poses of each frame, stripped of their
track ids, must come back with ids that follow the persons (through crossings and frames where
a person is hidden), and optical flow must bring back a person whose detection is missing."""
import json
from pathlib import Path
from typing import Dict, List

import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.structures import PoseDataSample
from mmpose.structures.bbox import bbox_overlaps

from hrnet_plugin.apis import PoseTracker
from hrnet_plugin.synthetic import generate_synthetic_videos

NUM_FRAMES = 16


@pytest.fixture(scope='module')
def sigmas() -> np.ndarray:
    return parse_pose_metainfo({'from_file': 'configs/_base_/datasets/posetrack18.py'})['sigmas']


@pytest.fixture(scope='module')
def videos(tmp_path_factory) -> dict:
    return generate_synthetic_videos(tmp_path_factory.mktemp('videos'), num_videos=3,
                                     num_frames=NUM_FRAMES, image_size=(192, 144), seed=0)


def _frames(videos: dict, name: str) -> List[List[dict]]:
    """Per frame, its annotations (persons with ``track_id``, ``keypoints``, ``bbox``)."""
    video = json.loads((Path(videos['ann_dir']) / f'{name}.json').read_text())
    return [[a for a in video['annotations'] if a['image_id'] == image['id']]
            for image in video['images']]


def _sample(persons: List[dict]) -> PoseDataSample:
    """A top-down result holding these persons' ground-truth poses (scores: the visibility)."""
    kpts = np.array([a['keypoints'] for a in persons], float).reshape(-1, 17, 3)
    boxes = np.array([a['bbox'] for a in persons], float).reshape(-1, 4)
    boxes[:, 2:] += boxes[:, :2]
    sample = PoseDataSample()
    sample.pred_instances = InstanceData(
        keypoints=kpts[..., :2], keypoint_scores=kpts[..., 2], bboxes=boxes,
        bbox_scores=np.ones(len(persons)))
    return sample


def _iou(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(N, M) IoU of xyxy boxes (mmpose's bbox_overlaps)."""
    return bbox_overlaps(torch.from_numpy(np.asarray(boxes, np.float64)),
                         torch.from_numpy(np.asarray(others, np.float64))).numpy()


def _image(videos: dict, name: str, frame: int) -> np.ndarray:
    return cv2.imread(str(Path(videos['img_dir']) / name / f'{frame:06d}.jpg'))


def _track(videos, name, tracker, drop=(), oracle=False, recovered_boxes=None
           ) -> Dict[int, Dict[int, int]]:
    """Run ``tracker`` over a video; returns {frame: {gt track id: predicted id}}. Persons in
    ``drop`` ((frame, gt track id) pairs) are left out of the frame's results; with ``oracle``
    the tracker may look for them: the 'pose model' returns the ground truth of the person
    whose box overlaps the searched box most. The boxes where persons were recovered go to
    ``recovered_boxes`` ({(frame, gt track id): xyxy})."""
    assigned = {}
    for frame, persons in enumerate(_frames(videos, name)):
        shown = [p for p in persons if (frame, p['track_id']) not in drop]

        def estimate(boxes: np.ndarray, persons=persons) -> PoseDataSample:
            gt_boxes = _sample(persons).pred_instances.bboxes
            overlaps = _iou(boxes[:, :4], gt_boxes)
            sample = _sample([persons[int(i)] for i in np.argmax(overlaps, 1)])
            sample.pred_instances.bboxes = boxes[:, :4]
            return sample

        result = tracker.update(_image(videos, name, frame), _sample(shown),
                                estimate if oracle else None)
        instances = result.pred_instances
        gt_ids = [p['track_id'] for p in shown]
        if len(instances) > len(shown):  # recovered persons: find whom by their box
            recovered = _sample(persons).pred_instances.bboxes
            overlaps = _iou(instances.bboxes[len(shown):], recovered)
            assert overlaps.max(1).min() > 0.5, 'the flow lost the box'
            found = [persons[int(i)]['track_id'] for i in overlaps.argmax(1)]
            if recovered_boxes is not None:
                recovered_boxes.update({(frame, gt_id): box for gt_id, box in
                                        zip(found, instances.bboxes[len(shown):])})
            gt_ids += found
        assigned[frame] = dict(zip(gt_ids, instances.track_ids.tolist(), strict=True))
    return assigned


def _one_id_per_person(assigned: Dict[int, Dict[int, int]]) -> Dict[int, int]:
    """{gt id: predicted id}, checking that every person kept one id and ids are not shared."""
    mapping: Dict[int, int] = {}
    for persons in assigned.values():
        for gt_id, pred_id in persons.items():
            assert mapping.setdefault(gt_id, pred_id) == pred_id, (gt_id, assigned)
    assert len(set(mapping.values())) == len(mapping)
    return mapping


@pytest.mark.parametrize('flow', [False, True])
def test_ids_follow_persons_through_crossings_and_gaps(videos, sigmas, flow):
    for name in videos['videos']:
        # kpt_thr: unlabelled ground-truth joints are (0, 0) with score 0 in every pose.
        tracker = PoseTracker(sigmas, kpt_thr=0.5, flow=flow)
        mapping = _one_id_per_person(_track(videos, name, tracker))
        assert sorted(mapping.values()) == list(range(len(mapping)))


def test_flow_recovers_missed_detections(videos, sigmas):
    name = videos['videos'][0]
    frames = _frames(videos, name)
    # Person 1 undetected in frames 5 and 6 (annotated there and around).
    assert all(any(p['track_id'] == 1 for p in frames[f]) for f in range(4, 8))
    drop = {(5, 1), (6, 1)}
    plain = _track(videos, name, PoseTracker(sigmas, kpt_thr=0.5), drop)
    assert 1 not in plain[5] and 1 not in plain[6]
    assert plain[7][1] == plain[4][1]  # the track resumes after the gap (max_age 5)
    boxes = {}
    flow = _track(videos, name, PoseTracker(sigmas, kpt_thr=0.5, flow=True), drop,
                  oracle=True, recovered_boxes=boxes)
    assert flow[5][1] == flow[6][1] == flow[4][1] == flow[7][1]
    _one_id_per_person(flow)
    # The box searched at frame 6 followed the walk: its centre is nearer the person's than
    # half the distance the person walked since its last detection (frame 4).
    def centre(frame: int) -> float:
        x, _, w, _ = next(p['bbox'] for p in frames[frame] if p['track_id'] == 1)
        return x + w / 2

    searched = (boxes[(6, 1)][0] + boxes[(6, 1)][2]) / 2
    assert abs(searched - centre(6)) < abs(centre(4) - centre(6)) / 2
    # At most flow_max_frames frames in a row are recovered.
    once = _track(videos, name, PoseTracker(sigmas, kpt_thr=0.5, flow=True, flow_max_frames=1),
                  drop, oracle=True)
    assert 1 in once[5] and 1 not in once[6]


def test_deterministic_and_arguments(videos, sigmas):
    name = videos['videos'][1]
    runs = [_track(videos, name, PoseTracker(sigmas, kpt_thr=0.5, flow=True), {(3, 0)},
                   oracle=True) for _ in range(2)]
    assert runs[0] == runs[1]
    for kwargs in ({'oks_thr': 1.5}, {'max_age': 0}, {'flow_iou_thr': -1}):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            PoseTracker(sigmas, **kwargs)
