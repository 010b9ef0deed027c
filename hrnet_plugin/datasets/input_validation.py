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
from typing import Any, Iterable, List, Optional, Sequence, Set

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
    for index, image in enumerate(images):
        if missing := _missing_fields(image, COCO_IMAGE_FIELDS):
            raise ValueError(f'annotation file {path}: images[{index}] lacks field(s) {missing}')
    image_ids = {image['id'] for image in images}
    for index, ann in enumerate(annotations):
        name = f'annotation file {path}: annotations[{index}]'
        if missing := _missing_fields(ann, COCO_ANNOTATION_FIELDS):
            raise ValueError(f'{name} lacks field(s) {missing}')
        name += f' (id {ann["id"]})'
        if ann['image_id'] not in image_ids:
            raise ValueError(f'{name}: image_id {ann["image_id"]} is not in "images"')
        if np.shape(ann['bbox']) != (4, ):
            raise ValueError(f'{name}: "bbox" must be [x, y, w, h], got {ann["bbox"]}')
        if np.shape(ann['keypoints']) != (3 * num_keypoints, ):
            raise ValueError(
                f'{name}: "keypoints" must hold 3 x {num_keypoints} values (x, y, visibility '
                f'per keypoint of this dataset), got {np.size(ann["keypoints"])}')
    return image_ids


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
        if np.shape(ann['joints']) != (num_keypoints, 2):
            raise ValueError(f'{name} ({ann["image"]}): "joints" must be {num_keypoints} x 2 '
                             f'values for this dataset, got shape {np.shape(ann["joints"])}')
        if np.shape(ann['joints_vis']) != (num_keypoints, ):
            raise ValueError(f'{name} ({ann["image"]}): "joints_vis" must hold {num_keypoints} '
                             f'values, got {np.size(ann["joints_vis"])}')
        if np.shape(ann['center']) != (2, ):
            raise ValueError(f'{name} ({ann["image"]}): "center" must be [x, y], '
                             f'got {ann["center"]}')
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
