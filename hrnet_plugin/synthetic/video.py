"""Synthetic videos of moving people in PoseTrack18 format, with true track ids.

Each video shows a static cluttered scene (``background``) through which 2 to ``max_persons``
figures (``pose``, ``appearance``, drawn by ``render.draw_figures``) walk sideways: the first
two start in the picture walking towards each other, so that they cross and the nearer one hides
the farther one for a while, the third enters later through a side, the others start near a
side and walk out of the picture; anyone may walk out. A figure's limbs swing between two
sampled poses. Figures are drawn far to near (by the height of their feet in the picture), and
annotated per frame as in the COCO generator (``scene.annotate_figures``): a figure too hidden
or too far out of the picture is not annotated in that frame, as PoseTrack leaves out persons it
cannot label.

Annotations follow PoseTrack18 (per-video jsons, as poseval reads them): 17 keypoints in
COCO's order where the eye slots hold ``head_bottom`` (the neck) and ``head_top``, the ears are
never annotated (``(0, 0, 0)``), and labelled joints inside the picture have visibility 1
(hidden ones included); ``bbox_head`` is the square around the head; ``track_id`` is the
figure's number in its video, the same whenever the figure is annotated.

Layout written under ``out_dir``::

    images/val/<video>/000000.jpg ...        frames of each video
    annotations/val/<video>.json             PoseTrack18 ground truth of the video
    annotations/posetrack18_val_human_detections.json   simulated person detections
    manifest.json                            generation parameters, used to reuse the data

Videos are named ``<number>_synthetic_val`` (``000001_synthetic_val``...); image ids are
``number * 10000 + frame``, as PoseTrack numbers its frames after the video.
"""
import math
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from . import files
from .appearance import sample_appearance
from .background import render_background
from .detections import sample_detections
from .keypoints import L_EAR, L_EYE, R_EAR, R_EYE
from .pose import HEAD, HEAD_TOP, NECK, Pose, place_pose, sample_pose
from .render import draw_figures
from .scene import Instance, annotate_figures, keypoint_visibility

#: PoseTrack18's keypoint names: COCO's order, head_bottom and head_top in the eye slots.
POSETRACK18_NAMES = ('nose', 'head_bottom', 'head_top', 'left_ear', 'right_ear',
                     'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
                     'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
                     'right_knee', 'left_ankle', 'right_ankle')
_SPLIT_ID = 2  # random streams of the videos, apart from the COCO splits' 0 and 1


def video_name(index: int) -> str:
    """Name of the ``index``-th video (0-based): ``000001_synthetic_val``..."""
    return f'{index + 1:06d}_synthetic_val'


def _frame_name(frame: int) -> str:
    return f'{frame:06d}.jpg'


def _paths(out: Path) -> Dict[str, Path]:
    return {'img_dir': out / 'images' / 'val', 'ann_dir': out / 'annotations' / 'val',
            'detections': out / 'annotations' / 'posetrack18_val_human_detections.json',
            'manifest': out / files.MANIFEST}


class _Walker:
    """One figure's walk: its look, where it is and how its limbs swing at each frame."""

    def __init__(self, rng: np.random.Generator, image_size: Tuple[int, int], num_frames: int,
                 index: int) -> None:
        width, height = image_size
        self.appearance = sample_appearance(rng)
        # Feet lower in the picture are nearer: taller, and drawn later.
        self.ground = rng.uniform(0.55, 0.8) * height
        self.height = self.ground * rng.uniform(0.55, 0.75)
        self.poses = [sample_pose(rng, self.height) for _ in range(2)]
        if self.poses[1].front != self.poses[0].front:  # swing between poses facing alike
            self.poses[1] = self.poses[0]
        self.period = rng.uniform(10.0, 20.0)  # frames per swing
        self.phase = rng.uniform(0.0, 2 * math.pi)
        # A walk: 1 to 2 % of the picture's width per frame (across it in 2 to 4 s at 25 fps).
        speed = rng.uniform(0.01, 0.02) * width  # pixels per frame
        self.start = 0
        self.direction = 1.0 if index % 2 == 0 else -1.0
        if index < 2:  # the first two start inside and walk towards each other
            self.x0 = (0.5 - self.direction * rng.uniform(0.1, 0.2)) * width
        elif index == 2:  # the third enters through a side, later
            self.start = int(rng.integers(1, max(2, num_frames // 2)))
            self.x0 = -0.2 * self.height if self.direction > 0 else width + 0.2 * self.height
        else:  # the others start near a side and walk out of the picture
            self.direction = -self.direction
            self.x0 = (0.5 + self.direction * rng.uniform(0.35, 0.45)) * width
        self.velocity = self.direction * speed

    def pose(self, frame: int) -> Optional[Pose]:
        """The figure in image coordinates at ``frame``; None before it enters."""
        if frame < self.start:
            return None
        swing = 0.5 - 0.5 * math.cos(2 * math.pi * frame / self.period + self.phase)
        first, second = self.poses
        points = first.points + swing * (second.points - first.points)
        # Hips at 52 % of the body height above the ground, swaying slightly as it walks.
        hips = (self.x0 + self.velocity * (frame - self.start), self.ground - 0.52 * self.height)
        sway = 4.0 * math.sin(2 * math.pi * frame / self.period + self.phase)
        return place_pose(Pose(points, first.front, first.height, first.widths), hips, sway)


def posetrack_keypoints(instance: Instance, pose: Pose, head_visibility: np.ndarray
                        ) -> np.ndarray:
    """(17, 3) PoseTrack18 keypoints of an annotated figure: COCO's, with the neck and the top of
    the head in the eye slots, no ears, and visibility 1 for every labelled joint.

    Args:
        instance: the figure's COCO annotation.
        pose: the figure in image coordinates.
        head_visibility: (2,) COCO visibility of the neck and the head top.
    """
    keypoints = instance.keypoints.copy()
    keypoints[[L_EYE, R_EYE], :2] = pose.points[[NECK, HEAD_TOP]]
    keypoints[[L_EYE, R_EYE], 2] = head_visibility
    keypoints[[L_EAR, R_EAR]] = 0
    labelled = keypoints[:, 2] > 0
    keypoints[~labelled] = 0
    keypoints[labelled, 2] = 1
    return keypoints


def head_box(pose: Pose) -> List[float]:
    """``bbox_head`` ``[x, y, w, h]``: the square around the head's circle."""
    radius = float(np.linalg.norm(pose.points[HEAD_TOP] - pose.points[HEAD]))
    x, y = pose.points[HEAD]
    return [round(float(x) - radius, 2), round(float(y) - radius, 2), round(2 * radius, 2),
            round(2 * radius, 2)]


def _render_video(out: Path, index: int, params: Dict[str, Any]
                  ) -> Tuple[Dict[str, Any], List[dict]]:
    """Renders and writes the frames of one video.

    Returns:
        The video's PoseTrack18 json and its detections.
    """
    image_size, num_frames = tuple(params['image_size']), params['num_frames']
    rng = np.random.default_rng([params['seed'], _SPLIT_ID, index])
    detection_rng = np.random.default_rng([params['seed'], _SPLIT_ID, index, 1])
    background = render_background(rng, image_size)
    walkers = [_Walker(rng, image_size, num_frames, k)
               for k in range(int(rng.integers(2, params['max_persons'] + 1)))]
    order = np.argsort([walker.ground for walker in walkers], kind='stable')  # far to near
    name = video_name(index)
    folder = _paths(out)['img_dir'] / name
    folder.mkdir(parents=True, exist_ok=True)
    images, annotations, detections = [], [], []
    for frame in range(num_frames):
        image_id = (index + 1) * 10000 + frame
        drawn = [(int(k), walkers[k].pose(frame)) for k in order]
        drawn = [(k, pose) for k, pose in drawn if pose is not None]
        image = background.copy()
        poses = [pose for _, pose in drawn]
        masks = draw_figures(image, poses, [walkers[k].appearance for k, _ in drawn])
        files.write_jpeg(folder / _frame_name(frame), image, params['jpeg_quality'])
        instances = annotate_figures(poses, masks) if drawn else []
        head_points = np.stack([pose.points[[NECK, HEAD_TOP]] for pose in poses]) if poses \
            else np.zeros((0, 2, 2))
        head_visibility = keypoint_visibility(head_points, masks, np.zeros((len(poses), 2), bool))
        found = []
        for (k, pose), instance, visibility in zip(drawn, instances, head_visibility):
            if instance is None:
                continue
            keypoints = posetrack_keypoints(instance, pose, visibility)
            annotations.append({
                'id': image_id * 100 + k, 'image_id': image_id, 'track_id': k,
                'category_id': 1, 'keypoints': keypoints.round(2).ravel().tolist(),
                'num_keypoints': int((keypoints[:, 2] > 0).sum()), 'bbox': list(instance.bbox),
                'bbox_head': head_box(pose), 'scores': []})
            if detection_rng.random() >= params['miss_rate']:
                found.append(instance)
        detections += sample_detections(detection_rng, found, image_id, image_size,
                                        params['false_positive_rate'])
        images.append({'id': image_id, 'frame_id': image_id, 'vid_id': f'{index + 1:06d}',
                       'file_name': f'images/val/{name}/{_frame_name(frame)}',
                       'nframes': num_frames, 'is_labeled': any(i is not None for i in instances),
                       'width': image_size[0], 'height': image_size[1]})
    category = {**files.person_category(), 'keypoints': list(POSETRACK18_NAMES)}
    return {'images': images, 'annotations': annotations, 'categories': [category]}, detections


def generate_synthetic_videos(out_dir: Union[str, os.PathLike], num_videos: int = 3,
                              num_frames: int = 24, image_size: Tuple[int, int] = (320, 240),
                              seed: int = 0, max_persons: int = 4, jpeg_quality: int = 90,
                              miss_rate: float = 0.1, false_positive_rate: float = 0.1
                              ) -> Dict[str, Any]:
    """Generates (or reuses) synthetic PoseTrack18 videos in ``out_dir`` (layout: module doc).

    The output is a pure function of the arguments; a complete dataset generated with the same
    arguments is reused, and files this generator did not write are never overwritten (see
    ``files``).

    Args:
        out_dir: Output folder, created if needed.
        num_videos: Number of videos.
        num_frames: Frames per video, at least 2.
        image_size: (W, H) in pixels, each at least 64.
        seed: Non-negative integer seed of all randomness.
        max_persons: Most figures per video, at least 2.
        jpeg_quality: JPEG quality of the frames, 1 to 100.
        miss_rate: Probability that the simulated detector misses an annotated person in a
            frame.
        false_positive_rate: Probability of a low-score false detection in a frame.

    Returns:
        Paths (as str) under ``out_dir``, ``img_dir``, ``ann_dir``, ``detections``,
        ``manifest``; ``videos`` (the names); counts ``num_frames_total``, ``num_annotations``;
        ``reused``.

    Raises:
        ValueError: an argument out of range, naming it.
        OSError / FileExistsError: as ``generate_synthetic_coco``.
    """
    files.check_int('num_videos', num_videos, 1)
    files.check_int('num_frames', num_frames, 2, 9999)
    files.check_int('seed', seed, 0)
    files.check_int('max_persons', max_persons, 2)
    files.check_int('jpeg_quality', jpeg_quality, 1, 100)
    if len(image_size) != 2:
        raise ValueError(f'image_size must be a (width, height) pair, got {image_size!r}')
    for name, value in zip(('image_size[0] (width)', 'image_size[1] (height)'), image_size):
        files.check_int(name, value, 64)
    for name, value in (('miss_rate', miss_rate), ('false_positive_rate', false_positive_rate)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError(f'{name} must be in [0, 1], got {value!r}')
    params = {'kind': 'posetrack18_videos', 'version': files.VERSION, 'seed': int(seed),
              'num_videos': int(num_videos), 'num_frames': int(num_frames),
              'image_size': [int(v) for v in image_size], 'max_persons': int(max_persons),
              'jpeg_quality': int(jpeg_quality), 'miss_rate': float(miss_rate),
              'false_positive_rate': float(false_positive_rate)}
    out = Path(out_dir)
    paths = _paths(out)
    names = [video_name(i) for i in range(num_videos)]
    result: Dict[str, Any] = {'out_dir': str(out), **{k: str(p) for k, p in paths.items()},
                              'videos': names}
    targets = [paths['detections'], *(paths['ann_dir'] / f'{n}.json' for n in names),
               *(paths['img_dir'] / n / _frame_name(f) for n in names for f in range(num_frames))]
    counts = files.reusable_counts(out, params, targets)
    if counts is not None:
        return {**result, **counts, 'reused': True}

    files.claim(out, params, [paths['img_dir'], paths['ann_dir']])
    detections, num_annotations = [], 0
    for index, name in enumerate(names):
        video, video_detections = _render_video(out, index, params)
        files.write_json(paths['ann_dir'] / f'{name}.json', video)
        detections += video_detections
        num_annotations += len(video['annotations'])
    files.write_json(paths['detections'], detections)
    counts = {'num_frames_total': num_videos * num_frames, 'num_annotations': num_annotations}
    files.seal(out, params, counts)
    return {**result, **counts, 'reused': False}
