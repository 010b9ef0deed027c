"""The COCO sample data of the benchmark: 4 images, their annotated persons
(``test_coco.json``) and detector boxes (``test_coco_det_AP_H_56.json``)."""
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmpose.registry import DATASETS

from hrnet_plugin.utils import read_json

ANNOTATIONS = 'test_coco.json'
DETECTIONS = 'test_coco_det_AP_H_56.json'
BBOX_THR = 0.3                     # mmpose's demo default for detector boxes
WHAT = 'COCO sample file'


def coco_dataset(cfg: dict, data_root: Path, train: bool):
    """The annotated persons through the config's train or val pipeline (mmpose's
    ``CocoDataset``)."""
    loader = cfg['train_dataloader' if train else 'val_dataloader']
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    read_json(Path(data_root) / ANNOTATIONS, WHAT)  # named here, not deep in mmpose
    return DATASETS.build(dict(type='CocoDataset', data_root=str(data_root),
                               ann_file=ANNOTATIONS, data_prefix=dict(img=''),
                               pipeline=loader['dataset']['pipeline'], test_mode=not train))


def batch_of(dataset, size: int) -> dict:
    """The first ``size`` samples (cycling), collated like mmengine's dataloader does."""
    return pseudo_collate([dataset[i % len(dataset)] for i in range(size)])


def coco_keypoints(data_root: Path, input_size: Sequence[int]) -> Tuple[np.ndarray, np.ndarray]:
    """Keypoints of the annotated persons (those with any keypoint) mapped from their boxes
    to the input crop [W, H]: (N, K, 2) float32, and visibility (N, K) float32 (0 or 1)."""
    annotations = read_json(Path(data_root) / ANNOTATIONS, WHAT)['annotations']
    keypoints, visible = [], []
    for ann in annotations:
        if ann['num_keypoints'] == 0:
            continue
        points = np.array(ann['keypoints'], np.float32).reshape(-1, 3)
        x, y, w, h = ann['bbox']
        keypoints.append((points[:, :2] - (x, y)) / (w, h) * np.asarray(input_size))
        visible.append((points[:, 2] > 0).astype(np.float32))
    return np.stack(keypoints).astype(np.float32), np.stack(visible)


def coco_detections(data_root: Path, score_thr: float = BBOX_THR) -> List[Tuple[str, np.ndarray]]:
    """[(image path, (M, 4) xyxy person boxes scoring >= ``score_thr``)] per sample image, in
    the order of the annotation file's images."""
    data_root = Path(data_root)
    images = read_json(data_root / ANNOTATIONS, WHAT)['images']
    detections = read_json(data_root / DETECTIONS, WHAT)
    out = []
    for image in images:
        boxes = np.array([d['bbox'] for d in detections
                          if d['image_id'] == image['id'] and d['score'] >= score_thr],
                         np.float32).reshape(-1, 4)
        boxes[:, 2:] += boxes[:, :2]
        out.append((str(data_root / image['file_name']), boxes))
    return out
