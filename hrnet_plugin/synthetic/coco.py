"""A synthetic COCO person-keypoint dataset: images, annotations and detections of two splits.

Layout written under ``out_dir``::

    images/train/000001.jpg ...            ``num_train`` images
    images/val/000001.jpg ...              ``num_val`` images
    annotations/person_keypoints_train.json
    annotations/person_keypoints_val.json
    annotations/val_detections.json        COCO detection results for the val images
    manifest.json                          generation parameters, used to reuse the dataset
"""
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import files
from .detections import sample_detections
from .scene import render_image

SPLITS = ('train', 'val')


def _image_name(index: int) -> str:
    return f'{index + 1:06d}.jpg'


def _paths(out: Path) -> Dict[str, Path]:
    return {
        'train_img_dir': out / 'images' / 'train', 'val_img_dir': out / 'images' / 'val',
        'train_ann': out / 'annotations' / 'person_keypoints_train.json',
        'val_ann': out / 'annotations' / 'person_keypoints_val.json',
        'val_detections': out / 'annotations' / 'val_detections.json',
        'manifest': out / files.MANIFEST}


def _target_files(out: Path, params: Dict[str, Any]) -> List[Path]:
    """Every file a generation with ``params`` writes into ``out`` (the manifest aside)."""
    paths = _paths(out)
    targets = [paths['train_ann'], paths['val_ann'], paths['val_detections']]
    for split in SPLITS:
        targets += [paths[f'{split}_img_dir'] / _image_name(i)
                    for i in range(params[f'num_{split}'])]
    return targets


def _generate_split(out: Path, split: str, params: Dict[str, Any]
                    ) -> Tuple[Dict[str, Any], Optional[List[dict]]]:
    """Renders and writes one split's images.

    Each image has its own random stream derived from (seed, split, index), so an image does not
    depend on how many images come before it or on the other split.

    Returns:
        The split's COCO dict and, for val, its detections (None for train).
    """
    image_size = tuple(params['image_size'])
    split_id = SPLITS.index(split)
    folder = _paths(out)[f'{split}_img_dir']
    images, annotations, detections = [], [], []
    for index in range(params[f'num_{split}']):
        image_id = index + 1
        rng = np.random.default_rng([params['seed'], split_id, index])
        image, instances = render_image(rng, image_size, params['max_figures'])
        files.write_jpeg(folder / _image_name(index), image, params['jpeg_quality'])
        images.append({'id': image_id, 'file_name': _image_name(index),
                       'width': image_size[0], 'height': image_size[1]})
        for instance in instances:
            annotations.append(files.coco_annotation(instance, len(annotations) + 1, image_id))
        if split == 'val':
            # A separate stream: the detector settings must not change the images.
            detections += sample_detections(
                np.random.default_rng([params['seed'], split_id, index, 1]), instances, image_id,
                image_size, params['false_positive_rate'])
    coco = {'info': {'description': f'synthetic people ({files.GENERATOR} v{files.VERSION})'},
            'images': images, 'annotations': annotations, 'categories': [files.person_category()]}
    return coco, detections if split == 'val' else None


def generate_synthetic_coco(out_dir: Union[str, os.PathLike], num_train: int = 2000,
                            num_val: int = 200, image_size: Tuple[int, int] = (256, 256),
                            seed: int = 0, max_figures: int = 4, jpeg_quality: int = 90,
                            false_positive_rate: float = 0.1) -> Dict[str, Any]:
    """Generates (or reuses) a synthetic COCO person-keypoint dataset in ``out_dir``.

    The output is a pure function of the arguments: the same arguments give byte-identical files.
    When ``out_dir`` already holds a complete dataset generated with the same arguments and
    generator version (see ``manifest.json``), nothing is written. Otherwise the dataset is
    (re)generated: files of an earlier generation are overwritten, files this generator did not
    write are never overwritten nor deleted, and leftover images of a larger earlier generation are
    left in place (the annotations do not name them).

    Args:
        out_dir: Output folder, created if needed.
        num_train: Number of training IMAGES (each holds 1 to ``max_figures`` figures).
        num_val: Number of validation IMAGES.
        image_size: (W, H) in pixels, each at least 32.
        seed: Non-negative integer seed of all randomness.
        max_figures: Most figures per image.
        jpeg_quality: JPEG quality of the images, 1 to 100.
        false_positive_rate: Probability that a val image gets a low-score false detection in
            ``val_detections.json``.

    Returns:
        Paths (as str) under the keys ``out_dir``, ``train_img_dir``, ``val_img_dir``,
        ``train_ann``, ``val_ann``, ``val_detections``, ``manifest``; counts under
        ``num_train_images``, ``num_val_images``, ``num_train_instances``,
        ``num_val_instances``; and ``reused``, True when an existing dataset was kept.

    Raises:
        ValueError: An argument is out of range; the message names it.
        OSError: ``out_dir`` cannot be written (PermissionError, NotADirectoryError, ...).
        FileExistsError: ``out_dir`` holds files, not made by this generator, that generating
            would overwrite.
    """
    files.check_int('num_train', num_train, 1)
    files.check_int('num_val', num_val, 1)
    files.check_int('seed', seed, 0)
    files.check_int('max_figures', max_figures, 1)
    files.check_int('jpeg_quality', jpeg_quality, 1, 100)
    if not isinstance(image_size, Sequence) or len(image_size) != 2:
        raise ValueError(f'image_size must be a (width, height) pair, got {image_size!r}')
    for name, value in zip(('image_size[0] (width)', 'image_size[1] (height)'), image_size):
        files.check_int(name, value, 32)
    if (isinstance(false_positive_rate, bool) or not isinstance(false_positive_rate, (int, float))
            or not 0.0 <= false_positive_rate <= 1.0):
        raise ValueError(f'false_positive_rate must be in [0, 1], got {false_positive_rate!r}')

    params = {'version': files.VERSION, 'seed': int(seed), 'num_train': int(num_train),
              'num_val': int(num_val), 'image_size': [int(v) for v in image_size],
              'max_figures': int(max_figures), 'jpeg_quality': int(jpeg_quality),
              'false_positive_rate': float(false_positive_rate)}
    out = Path(out_dir)
    paths = _paths(out)
    result: Dict[str, Any] = {'out_dir': str(out), **{key: str(p) for key, p in paths.items()}}
    counts = files.reusable_counts(out, params, _target_files(out, params))
    if counts is not None:
        return {**result, **counts, 'reused': True}

    folders = [paths['train_img_dir'], paths['val_img_dir'], paths['train_ann'].parent]
    files.claim(out, params, folders)
    counts = {}
    for split in SPLITS:
        coco, detections = _generate_split(out, split, params)
        files.write_json(paths[f'{split}_ann'], coco)
        if detections is not None:
            files.write_json(paths['val_detections'], detections)
        counts[f'num_{split}_images'] = len(coco['images'])
        counts[f'num_{split}_instances'] = len(coco['annotations'])
    files.seal(out, params, counts)
    return {**result, **counts, 'reused': False}
