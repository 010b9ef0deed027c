"""Up-front checks of a top-down keypoint dataset's inputs, with errors that name file and field.

mmpose's datasets trust their inputs: an annotation json that does not parse fails inside
xtcocotools without the file's name, an annotation without ``bbox`` or ``keypoints`` is skipped
silently, a keypoint list of the wrong length is reshaped into another number of keypoints, a
detection for an image that is not in the annotation file stops evaluation with a bare
``KeyError``, ``sigmas`` of the wrong length surface only inside the metric, and an empty or
mis-rooted dataset fails late (or scores 0 AP). :class:`InputValidationMixin` runs the checks
below before mmpose loads the files.

Shape legend: K keypoints of the dataset (``metainfo['num_keypoints']``).
"""
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set

import numpy as np

from hrnet_plugin.utils import PERSON_CATEGORY_ID, PathLike, read_detection_results, read_json

#: Fields mmpose reads from every image / person annotation of a COCO-style file.
COCO_IMAGE_FIELDS = ('id', 'file_name', 'width', 'height')
COCO_ANNOTATION_FIELDS = ('id', 'image_id', 'category_id', 'bbox', 'keypoints')
#: Fields mmpose's MpiiDataset reads from every entry of an MPII json.
MPII_FIELDS = ('image', 'joints', 'joints_vis', 'center', 'scale')
#: Fields mmpose reads from every entry of a COCO-format detection file (``bbox_file``).
DETECTION_FIELDS = ('image_id', 'category_id', 'bbox', 'score')
_EXAMPLES = 5  # how many offending items an error message lists


def _missing_fields(entry: Any, fields: Sequence[str]) -> List[str]:
    """The ``fields`` an entry lacks (all of them when it is not a json object)."""
    return list(fields) if not isinstance(entry, dict) else [f for f in fields if f not in entry]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finite_numbers(value: Any, count: int) -> bool:
    """Whether ``value`` is a list of ``count`` finite numbers (json's NaN and Infinity are
    not)."""
    return (isinstance(value, list) and len(value) == count
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            and bool(np.isfinite(np.asarray(value, np.float64)).all()))


def _field_error(name: str, field: str, value: Any, expected: str) -> ValueError:
    return ValueError(f'{name}: "{field}" must be {expected}, got {value!r:.80}')


def _check_unique_id(name: str, entry: dict, seen: dict, where: str) -> None:
    """Check that ``entry['id']`` is an integer that no earlier entry had."""
    if not _is_int(entry['id']):
        raise _field_error(name, 'id', entry['id'], 'an integer')
    if entry['id'] in seen:
        raise ValueError(f'{name}: id {entry["id"]} is also the id of {where}[{seen[entry["id"]]}]'
                         '; ids must be unique')


def _check_coco_image(name: str, image: dict) -> None:
    if not isinstance(image['file_name'], str):
        raise _field_error(name, 'file_name', image['file_name'], 'a string')
    for field in ('width', 'height'):
        if not (_finite_numbers([image[field]], 1) and image[field] > 0):
            raise _field_error(name, field, image[field], 'a positive number')


def _check_coco_annotation(name: str, ann: dict, num_keypoints: int) -> None:
    for field in ('image_id', 'category_id'):
        if not _is_int(ann[field]):
            raise _field_error(name, field, ann[field], 'an integer')
    if not _finite_numbers(ann['bbox'], 4):
        raise _field_error(name, 'bbox', ann['bbox'], '[x, y, w, h], 4 finite numbers')
    keypoints = ann['keypoints']
    if not isinstance(keypoints, list) or len(keypoints) != 3 * num_keypoints:
        got = len(keypoints) if isinstance(keypoints, list) else repr(keypoints)[:80]
        raise ValueError(
            f'{name}: "keypoints" must hold 3 x {num_keypoints} values (x, y, visibility '
            f'per keypoint of this dataset), got {got}')
    if not _finite_numbers(ann['keypoints'], 3 * num_keypoints):
        raise _field_error(name, 'keypoints', ann['keypoints'], 'finite numbers')
    visibility = np.asarray(ann['keypoints'][2::3])
    wrong = np.flatnonzero(~np.isin(visibility, (0, 1, 2)))
    if wrong.size:
        raise ValueError(f'{name}: "keypoints" visibility of keypoint {wrong[0]} must be 0 '
                         f'(not labelled), 1 (occluded) or 2 (visible), got '
                         f'{visibility[wrong[0]]}')
    if 'num_keypoints' in ann and not _is_int(ann['num_keypoints']):
        raise _field_error(name, 'num_keypoints', ann['num_keypoints'], 'an integer')
    if 'iscrowd' in ann and not (isinstance(ann['iscrowd'], int) and ann['iscrowd'] in (0, 1)):
        raise _field_error(name, 'iscrowd', ann['iscrowd'], '0 or 1 (or false, true)')
    if 'area' in ann and not _finite_numbers([ann['area']], 1):
        raise _field_error(name, 'area', ann['area'], 'a finite number')


def _require_list(content: Any, key: str, path: PathLike) -> list:
    """``content[key]`` if ``content`` is a json object holding a list there."""
    if not isinstance(content, dict) or not isinstance(content.get(key), list):
        raise ValueError(f'annotation file {path}: top-level field "{key}" (a list) is missing')
    return content[key]


def check_coco_annotations(content: Any, path: PathLike,
                           num_keypoints: int) -> Set[int]:
    """Check a COCO-style keypoint annotation file (COCO, PoseTrack18) as mmpose reads it.

    Args:
        content: the parsed json.
        path: its file, for messages.
        num_keypoints: K; every ``keypoints`` list must hold 3K numbers ``x, y, visibility``.

    Returns:
        The image ids of the file.

    Raises:
        ValueError: naming the file, the entry and the field that is missing or malformed.
    """
    images = _require_list(content, 'images', path)
    annotations = _require_list(content, 'annotations', path)
    image_ids: Dict[int, int] = {}
    for index, image in enumerate(images):
        name = f'annotation file {path}: images[{index}]'
        if missing := _missing_fields(image, COCO_IMAGE_FIELDS):
            raise ValueError(f'{name} lacks field(s) {missing}')
        _check_unique_id(name, image, image_ids, 'images')
        _check_coco_image(f'{name} (id {image["id"]})', image)
        image_ids[image['id']] = index
    ann_ids: Dict[int, int] = {}
    for index, ann in enumerate(annotations):
        name = f'annotation file {path}: annotations[{index}]'
        if missing := _missing_fields(ann, COCO_ANNOTATION_FIELDS):
            raise ValueError(f'{name} lacks field(s) {missing}')
        _check_unique_id(name, ann, ann_ids, 'annotations')
        ann_ids[ann['id']] = index
        name += f' (id {ann["id"]})'
        _check_coco_annotation(name, ann, num_keypoints)
        if ann['image_id'] not in image_ids:
            raise ValueError(f'{name}: image_id {ann["image_id"]} is not in "images"')
    for index, category in enumerate(content.get('categories') or []):
        if not (isinstance(category, dict) and _is_int(category.get('id'))):
            raise ValueError(f'annotation file {path}: categories[{index}] must be an object '
                             f'with an integer "id", got {category!r:.80}')
    return set(image_ids)


def check_mpii_annotations(content: Any, path: PathLike, num_keypoints: int) -> int:
    """Check an MPII annotation file (mmpose's json conversion) as mmpose reads it.

    Args:
        content: the parsed json, a list of person entries.
        path: its file, for messages.
        num_keypoints: K; ``joints`` must be (K, 2) and ``joints_vis`` (K,).

    Returns:
        The number of person entries.

    Raises:
        ValueError: naming the file, the entry and the field that is missing or malformed.
    """
    if not isinstance(content, list):
        raise ValueError(f'annotation file {path}: expected a list of person entries, '
                         f'got {type(content).__name__}')
    for index, ann in enumerate(content):
        name = f'annotation file {path}: entry [{index}]'
        if missing := _missing_fields(ann, MPII_FIELDS):
            raise ValueError(f'{name} lacks field(s) {missing}')
        if not isinstance(ann['image'], str):
            raise _field_error(name, 'image', ann['image'], 'a file name')
        name += f' ({ann["image"]})'
        joints = ann['joints']
        if not (isinstance(joints, list) and len(joints) == num_keypoints
                and all(_finite_numbers(joint, 2) for joint in joints)):
            size = len(joints) if isinstance(joints, list) else 'not a list'
            raise ValueError(f'{name}: "joints" must be {num_keypoints} x 2 finite numbers for '
                             f'this dataset, got {size}: {joints!r:.80}')
        if not _finite_numbers(ann['joints_vis'], num_keypoints):
            raise _field_error(name, 'joints_vis', ann['joints_vis'],
                               f'{num_keypoints} numbers')
        if not np.isin(ann['joints_vis'], (0, 1)).all():
            raise _field_error(name, 'joints_vis', ann['joints_vis'], '0 or 1 per joint')
        if not _finite_numbers(ann['center'], 2):
            raise _field_error(name, 'center', ann['center'], '[x, y], 2 finite numbers')
        if not (_finite_numbers([ann['scale']], 1) and ann['scale'] > 0):
            raise _field_error(name, 'scale', ann['scale'], 'a positive number')
    return len(content)


def check_detections(path: PathLike, image_ids: Set[int],
                     ann_file: PathLike) -> None:
    """Check a COCO-format detection file against the images of the annotation file.

    Args:
        path: the ``bbox_file`` (a list of ``{image_id, category_id, bbox, score}``).
        image_ids: the image ids of ``ann_file``.
        ann_file: the annotation file, for messages.

    Raises:
        ValueError: if the file is malformed, holds no person detection, or refers to images
            that ``ann_file`` does not have.
    """
    persons = read_detection_results(path, PERSON_CATEGORY_ID, require=DETECTION_FIELDS)
    if not len(persons):
        raise ValueError(f'bbox_file {path} holds no person detection '
                         f'(category_id {PERSON_CATEGORY_ID})')
    unknown = sorted(set(persons.image_ids.tolist()) - image_ids)
    if unknown:
        matched = int(np.isin(persons.image_ids, list(image_ids)).sum())
        raise ValueError(
            f'bbox_file {path}: {len(persons) - matched} of {len(persons)} person detections '
            f'belong to {len(unknown)} image id(s) that are not in {ann_file}, e.g. '
            f'{unknown[:_EXAMPLES]}; detection and annotation files must describe the same '
            'images (filter the detections to the annotated images)')


def check_pose_metainfo(metainfo: dict) -> None:
    """Check that the per-keypoint arrays of parsed mmpose metainfo agree with its keypoints.

    Args:
        metainfo: the output of mmpose's ``parse_pose_metainfo``.

    Raises:
        ValueError: naming the dataset and the field whose length or values do not fit.
    """
    name, num = metainfo.get('dataset_name'), metainfo['num_keypoints']
    for field in ('sigmas', 'dataset_keypoint_weights', 'flip_indices'):
        if len(metainfo[field]) != num:
            raise ValueError(f'metainfo of dataset {name!r}: {field} has '
                             f'{len(metainfo[field])} values for {num} keypoints')
    flip = np.asarray(metainfo['flip_indices'])
    # A horizontal flip swaps left/right keypoints in pairs: applying it twice is the identity.
    if sorted(flip.tolist()) != list(range(num)) or not np.array_equal(flip[flip], np.arange(num)):
        raise ValueError(f'metainfo of dataset {name!r}: flip_indices {flip.tolist()} do not pair '
                         'up the keypoints (check the "swap" names of keypoint_info)')


def check_image_files(image_paths: Iterable[str], source: str) -> None:
    """Check that every local image exists (URLs of remote backends are not checked).

    Args:
        image_paths: ``img_path`` of the samples (data_root and the image prefix applied).
        source: what lists them, for the message (e.g. the annotation file).

    Raises:
        FileNotFoundError: listing how many images are missing and the first few paths.
    """
    paths = sorted(set(image_paths))
    missing = [p for p in paths if '://' not in p and not os.path.isfile(p)]
    if missing:
        raise FileNotFoundError(
            f'{len(missing)} of {len(paths)} images of {source} do not exist, e.g. '
            f'{missing[:_EXAMPLES]}; check data_root and data_prefix')


class InputValidationMixin:
    """Runs the checks of this module in an mmpose ``BaseCocoStyleDataset`` subclass.

    Put it first among the bases (``class X(InputValidationMixin, CocoDataset)``). Checked:
    the metainfo (:func:`check_pose_metainfo`) when it is loaded; the annotation file
    (:meth:`check_annotation_file`) and ``bbox_file`` (:func:`check_detections`) before mmpose
    reads them; after filtering, that samples remain and their images exist.
    """

    def check_annotation_file(self, content: Any) -> Optional[Set[int]]:
        """Check the parsed annotation file; return its image ids (``None``: not COCO-style)."""
        return check_coco_annotations(content, self.ann_file, self.metainfo['num_keypoints'])

    @classmethod
    def _load_metainfo(cls, metainfo: Optional[dict] = None) -> dict:
        """mmpose's parsed metainfo, checked."""
        parsed = super()._load_metainfo(metainfo)
        check_pose_metainfo(parsed)
        return parsed

    def load_data_list(self) -> List[dict]:
        """Check the annotation and detection files, then let mmpose load them."""
        image_ids = self.check_annotation_file(read_json(self.ann_file, 'annotation file'))
        if self.bbox_file:
            if image_ids is None:
                raise ValueError(f'{type(self).__name__} does not support bbox_file')
            check_detections(self.bbox_file, image_ids, self.ann_file)
        return super().load_data_list()

    def filter_data(self) -> List[dict]:
        """mmpose's filtered samples, checked to be there and to have their images."""
        data_list = super().filter_data()
        source = self.bbox_file or self.ann_file
        if not data_list:
            purpose = 'evaluate' if self.test_mode else 'train on'
            raise ValueError(
                f'{source}: no person instances left to {purpose} (mmpose drops crowd '
                'annotations, boxes without area and persons without labelled keypoints; '
                f'filter_cfg={self.filter_cfg})')
        check_image_files((info['img_path'] for info in data_list), str(source))
        return data_list
