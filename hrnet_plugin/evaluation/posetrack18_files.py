"""PoseTrack18 json files: the ground truth (one combined json or one json per video) and
per-video result files, read into the frames of :mod:`.functional.posetrack_map`
(:mod:`.posetrack18_evaluation` scores them, as poseval scores a folder of results against a
folder of ground truth).

Result files are PoseTrack18 jsons as poseval reads them: ``images`` (each with ``file_name``),
``annotations`` (``image_id``, ``track_id``, ``keypoints`` as K x [x, y, v] and ``scores``,
the K joint confidences that rank the joints for the AP) and optionally ``categories``, whose
first entry's ``keypoints`` names the K joints (PoseTrack18's 17 in their order when absent).
A joint stored as ``(0, 0, 0)`` is absent.

Shape legend: K = 17 PoseTrack18 keypoints, G ground-truth persons and P predicted persons of a
frame, V vertices of an ignore polygon.
"""
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from hrnet_plugin.utils import PERSON_CATEGORY_ID, PathLike, read_json

from .functional.posetrack_map import (
    POSETRACK18_EVAL_INDICES,
    POSETRACK18_EVAL_KEYPOINTS,
    POSETRACK18_KEYPOINTS,
    PoseTrackFrame,
)

_NUM_KEYPOINTS = len(POSETRACK18_KEYPOINTS)


@dataclass(frozen=True)
class PoseTrack18Image:
    """Ground truth of one image.

    Attributes:
        image_id: the image's ``id``.
        file_name: its ``file_name``.
        sequence: the video it belongs to (the per-video json's stem, or the frame's folder).
        keypoints: (G, K, 2) joint coordinates.
        annotated: (G, K) bool, False for joints stored as ``(0, 0, 0)``.
        head_boxes: (G, 4) ``bbox_head`` ``[x, y, w, h]``; nan where a person has none.
        ignore_regions: polygons, each (V, 2).
        track_ids: (G,) int64 ``track_id`` of the persons; -1 where one has none (allowed
            unless the ground truth is loaded for tracking).
    """

    image_id: int
    file_name: str
    sequence: str
    keypoints: np.ndarray
    annotated: np.ndarray
    head_boxes: np.ndarray
    ignore_regions: Tuple[np.ndarray, ...]
    track_ids: np.ndarray


@dataclass(frozen=True)
class PoseTrack18Result:
    """The predictions of one frame of a result file, in PoseTrack18's keypoint order.

    Attributes:
        file_name: the frame's ``file_name``.
        keypoints: (P, K, 2) joint coordinates.
        present: (P, K) bool, False for joints stored as ``(0, 0, 0)`` or that the file's
            keypoint names lack.
        scores: (P, K) joint confidences (``scores``).
        track_ids: (P,) int64 ``track_id`` of the persons, unique.
    """

    file_name: str
    keypoints: np.ndarray
    present: np.ndarray
    scores: np.ndarray
    track_ids: np.ndarray


def _read_json(path: Path, what: str = 'PoseTrack18 annotation file') -> dict:
    """Parse one PoseTrack18 json and check that it has the fields the evaluation uses."""
    content = read_json(path, what)
    if not isinstance(content, dict):
        raise ValueError(f'{path}: expected a json object with "images" and "annotations"')
    for field in ('images', 'annotations'):
        if not isinstance(content.get(field), list):
            raise ValueError(f'{path}: field "{field}" (a list) is missing')
    return content


def _ignore_regions(image: dict, path: Path) -> Tuple[np.ndarray, ...]:
    """The (V, 2) ignore polygons of an image entry (``ignore_regions_x``/``_y``)."""
    xs, ys = image.get('ignore_regions_x', []), image.get('ignore_regions_y', [])
    if len(xs) != len(ys) or any(len(x) != len(y) for x, y in zip(xs, ys)):
        raise ValueError(f'{path}: image {image["id"]}: "ignore_regions_x" and '
                         '"ignore_regions_y" do not pair up')
    return tuple(np.stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)],
                          axis=-1).reshape(-1, 2) for x, y in zip(xs, ys))


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _keypoint_values(ann: dict, count: int, where: str) -> np.ndarray:
    """(count, 3) keypoints of an annotation, or an error naming ``where`` and the field."""
    try:
        values = np.asarray(ann.get('keypoints', ()), dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f'{where}: field "keypoints" must be numbers') from None
    if values.ndim != 1 or values.size != 3 * count:
        raise ValueError(f'{where}: field "keypoints" must hold {count} x 3 values, got '
                         f'{values.size}')
    return values.reshape(count, 3)


def _person_arrays(annotations: List[dict], path: Path, require_track_ids: bool
                   ) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keypoints (G, K, 2), annotated mask (G, K), head boxes (G, 4), track ids (G,)."""
    keypoints = np.zeros((len(annotations), _NUM_KEYPOINTS, 3))
    head_boxes = np.full((len(annotations), 4), np.nan)
    track_ids = np.full(len(annotations), -1, dtype=np.int64)
    for i, ann in enumerate(annotations):
        where = f'{path}: annotation {ann.get("id")}'
        keypoints[i] = _keypoint_values(ann, _NUM_KEYPOINTS, where)
        if 'bbox_head' in ann:
            box = np.asarray(ann['bbox_head'], dtype=np.float64)
            if box.size != 4:
                raise ValueError(f'{where}: field "bbox_head" must be [x, y, w, h], got '
                                 f'{ann["bbox_head"]}')
            head_boxes[i] = box.reshape(4)
        if _is_int(ann.get('track_id')):
            track_ids[i] = ann['track_id']
        elif require_track_ids:
            raise ValueError(f'{where}: field "track_id" must be an integer, got '
                             f'{ann.get("track_id")!r}')
    # poseval drops a ground-truth joint only when it is stored as (0, 0, 0).
    annotated = np.any(keypoints != 0, axis=-1)
    missing_head = annotated.any(-1) & np.isnan(head_boxes).any(-1)
    if missing_head.any():
        ann_id = annotations[int(np.argmax(missing_head))].get('id')
        raise ValueError(f'{path}: annotation {ann_id} has annotated joints but no "bbox_head"'
                         ' (needed for the PCKh head size)')
    return keypoints[..., :2], annotated, head_boxes, track_ids


def _annotations_by_image(content: dict, path: Path) -> Dict[Any, List[dict]]:
    """The annotations of each image id; every image has an ``id`` and a ``file_name``."""
    by_image: Dict[Any, List[dict]] = defaultdict(list)
    for ann in content['annotations']:
        by_image[ann.get('image_id')].append(ann)
    known = set()
    for index, image in enumerate(content['images']):
        if 'id' not in image or 'file_name' not in image:
            raise ValueError(f'{path}: entry {index} of "images" lacks "id" or "file_name"')
        if image['id'] in known:
            raise ValueError(f'{path}: field "images" repeats image id {image["id"]}')
        known.add(image['id'])
    orphans = set(by_image) - known
    if orphans:
        raise ValueError(f'{path}: field "annotations" refers to unknown image ids '
                         f'{sorted(orphans, key=str)[:5]}')
    return by_image


def load_posetrack18_ground_truth(ann_file: PathLike, require_track_ids: bool = False
                                  ) -> Dict[int, PoseTrack18Image]:
    """Load PoseTrack18 annotations from one combined json or a directory of per-video jsons.

    Args:
        ann_file: a COCO-style json (``images``, ``annotations``; e.g. mmpose's
            ``posetrack18_val.json``) or a directory of PoseTrack18 per-video jsons.
        require_track_ids: every person must have an integer ``track_id`` (for tracking).

    Returns:
        Every image by its id (the ``img_id`` mmpose's data samples carry), videos in file
        order (sorted file names for a directory) and frames in ``images`` order.

    Raises:
        FileNotFoundError: if ``ann_file`` does not exist or a directory holds no json.
        ValueError: naming the file and field, for unreadable or malformed content.
    """
    root = Path(ann_file)
    if not root.exists():
        raise FileNotFoundError(f'{root}: PoseTrack18 annotation file/directory does not exist')
    paths = sorted(root.glob('*.json')) if root.is_dir() else [root]
    if not paths:
        raise FileNotFoundError(f'{root}: directory holds no PoseTrack18 *.json file')
    images: Dict[int, PoseTrack18Image] = {}
    for path in paths:
        content = _read_json(path)
        by_image = _annotations_by_image(content, path)
        for image in content['images']:
            if image['id'] in images:
                raise ValueError(f'{path}: field "images" repeats image id {image["id"]}')
            arrays = _person_arrays(by_image[image['id']], path, require_track_ids)
            # Result files are named like poseval's per-video ground truth: the json's stem, or
            # for a combined json the frame's folder (images/val/<sequence>/000000.jpg).
            sequence = path.stem if root.is_dir() else Path(image['file_name']).parent.name
            images[image['id']] = PoseTrack18Image(
                image['id'], image['file_name'], sequence, *arrays[:3],
                _ignore_regions(image, path), arrays[3])
    return images


def _keypoint_columns(content: dict, path: Path) -> Tuple[int, np.ndarray]:
    """How a result file orders its joints: (number of joints, (K,) column of each
    PoseTrack18 keypoint, -1 where the file has none)."""
    names = list(POSETRACK18_KEYPOINTS)
    categories = content.get('categories')
    if categories:
        names = categories[0].get('keypoints') if isinstance(categories[0], dict) else None
        if not isinstance(names, list):
            raise ValueError(f'{path}: field "categories"[0]["keypoints"] (the joint names) is '
                             'missing')
        missing = [name for name in POSETRACK18_EVAL_KEYPOINTS if name not in names]
        if missing:
            raise ValueError(f'{path}: field "categories"[0]["keypoints"] lacks the scored '
                             f'joints {missing}')
    columns = np.array([names.index(name) if name in names else -1
                        for name in POSETRACK18_KEYPOINTS])
    return len(names), columns


def load_posetrack18_results(path: PathLike) -> List[PoseTrack18Result]:
    """Read a per-video result file: the predictions of each frame, in ``images`` order.

    Raises:
        FileNotFoundError: no such file.
        ValueError: naming the file, the frame and the field: a missing or non-integer
            ``track_id``, one repeated within a frame, keypoints or scores of the wrong length.
    """
    path = Path(path)
    content = _read_json(path, 'PoseTrack18 result file')
    count, columns = _keypoint_columns(content, path)
    by_image = _annotations_by_image(content, path)
    frames = []
    for index, image in enumerate(content['images']):
        annotations = by_image[image['id']]
        where = f'{path}: frame {index} ("{image["file_name"]}")'
        values = np.zeros((len(annotations), _NUM_KEYPOINTS, 3))
        scores = np.zeros((len(annotations), _NUM_KEYPOINTS))
        present = np.zeros((len(annotations), _NUM_KEYPOINTS), dtype=bool)
        track_ids = np.zeros(len(annotations), dtype=np.int64)
        known = columns >= 0
        for i, ann in enumerate(annotations):
            raw = _keypoint_values(ann, count, f'{where}, annotation {i}')
            raw_scores = ann.get('scores')
            if not isinstance(raw_scores, list) or len(raw_scores) != count:
                raise ValueError(f'{where}, annotation {i}: field "scores" must hold {count} '
                                 'joint confidences')
            if not _is_int(ann.get('track_id')):
                raise ValueError(f'{where}, annotation {i}: field "track_id" must be an '
                                 f'integer, got {ann.get("track_id")!r}')
            values[i, known] = raw[columns[known]]
            scores[i, known] = np.asarray(raw_scores, dtype=np.float64)[columns[known]]
            present[i, known] = np.any(raw[columns[known]] != 0, axis=-1)
            track_ids[i] = ann['track_id']
        unique, repeats = np.unique(track_ids, return_counts=True)
        if (repeats > 1).any():
            raise ValueError(f'{where}: field "track_id": ids {unique[repeats > 1].tolist()} '
                             'are used by several persons of the frame')
        frames.append(PoseTrack18Result(image['file_name'], values[..., :2], present, scores,
                                        track_ids))
    return frames


def posetrack18_person(image_id: int, track_id: int, keypoints: np.ndarray,
                       keypoint_scores: np.ndarray, score: float,
                       present: Optional[np.ndarray] = None) -> Dict[str, Any]:
    """One person of a PoseTrack18 result file.

    Args:
        image_id: the frame's id.
        track_id: the person's track.
        keypoints: (K, 2) joints in PoseTrack18's order.
        keypoint_scores: (K,) their confidences.
        score: the person's confidence.
        present: (K,) bool; absent joints are written as ``(0, 0, 0)`` with score 0.

    Returns:
        ``image_id``, ``track_id``, ``category_id``, ``score``, ``keypoints`` (K x [x, y,
        score]: poseval reads the third value as visibility, so a present joint must not be
        stored as (0, 0, 0)) and ``scores`` (the K confidences poseval ranks joints by).
    """
    # Coordinates to 1/1000 pixel, confidences to 1e-5.
    values = np.concatenate([np.asarray(keypoints, np.float64).round(3),
                             np.asarray(keypoint_scores, np.float64).round(5)[:, None]], axis=-1)
    if present is not None:
        values[~np.asarray(present, bool)] = 0
    return {'image_id': image_id, 'track_id': int(track_id), 'category_id': PERSON_CATEGORY_ID,
            'score': float(score), 'keypoints': values.ravel().tolist(),
            'scores': values[:, 2].tolist()}


def posetrack18_json(images: List[dict], annotations: List[dict]) -> Dict[str, Any]:
    """A PoseTrack18 result file: ``images``, ``annotations`` and the person category with
    PoseTrack18's keypoint names (poseval maps joints by these names)."""
    category = {'id': PERSON_CATEGORY_ID, 'name': 'person', 'supercategory': 'person',
                'keypoints': list(POSETRACK18_KEYPOINTS)}
    return {'categories': [category], 'images': images, 'annotations': annotations}


def evaluation_frame(image: PoseTrack18Image, pred_keypoints: np.ndarray,
                     pred_scores: np.ndarray, pred_present: Optional[np.ndarray] = None,
                     pred_track_ids: Optional[np.ndarray] = None) -> PoseTrackFrame:
    """The scored joints of a frame: its ground truth and predictions (P, K, 2), (P, K) cut
    down to the J evaluated keypoints (PoseTrack18's 17 minus the ears)."""
    cut = POSETRACK18_EVAL_INDICES
    return PoseTrackFrame(
        gt_keypoints=image.keypoints[:, cut], gt_annotated=image.annotated[:, cut],
        gt_head_boxes=image.head_boxes, pred_keypoints=np.asarray(pred_keypoints)[:, cut],
        pred_scores=np.asarray(pred_scores)[:, cut], ignore_regions=image.ignore_regions,
        pred_present=None if pred_present is None else np.asarray(pred_present)[:, cut],
        gt_track_ids=image.track_ids, pred_track_ids=pred_track_ids)
