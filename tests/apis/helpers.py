"""Models, checkpoints and data shared by the inference tests (tests/apis, tests/tools).

Nothing is downloaded: the pose models and the detector get seeded random weights, saved to a
checkpoint that the code under test loads like any other.
"""
import json
from pathlib import Path
from typing import Dict, Tuple

import cv2
import mmdet
import numpy as np
import torch
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope

from hrnet_plugin.apis import init_pose_model
from hrnet_plugin.benchmark import randomize_weights_

from ..conftest import DATA_ROOT
from ..models.hrnet_archs import TINY_EXTRA

REPO_ROOT = Path(__file__).resolve().parents[2]
COCO_DIR = DATA_ROOT / 'coco'
COCO_IMAGES = sorted(COCO_DIR.glob('*.jpg'))
W32_CONFIG = REPO_ROOT / 'configs' / 'coco' / 'td-hm_hrnet-w32_8xb64-210e_coco-256x192.py'
# mmdet installs its configs with the package.
RTMDET_CONFIG = (Path(mmdet.__file__).parent / '.mim' / 'configs' / 'rtmdet'
                 / 'rtmdet_tiny_8xb32-300e_coco.py')


def _sample_inputs(model: torch.nn.Module, height: int, width: int) -> torch.Tensor:
    """The 4 COCO sample images resized to (height, width), normalised by the model's data
    preprocessor statistics: (4, 3, height, width)."""
    bgr = np.stack([cv2.resize(cv2.imread(str(p)), (width, height)) for p in COCO_IMAGES])
    rgb = torch.from_numpy(bgr[..., ::-1].copy()).permute(0, 3, 1, 2).float()
    return (rgb - model.data_preprocessor.mean) / model.data_preprocessor.std


def randomize_(model: torch.nn.Module, seed: int) -> None:
    """Seeded random weights of a top-down pose model, with activations of order 1
    (``randomize_weights_``, calibrated on the sample images at a quarter of the 256x192 input
    area, which keeps W32 cheap). The head's last layer is then scaled so that heatmap values
    are at most about 1, as a trained model's: float32 rounding stays far below the tests'
    absolute score tolerances."""
    inputs = _sample_inputs(model, 128, 96)
    randomize_weights_(model, seed, lambda: model.extract_feat(inputs))
    with torch.no_grad():
        scale = model.head(model.extract_feat(inputs)).abs().amax()
        model.head.final_layer.weight /= scale
        model.head.final_layer.bias /= scale


def tiny_pose_config() -> Config:
    """The W32 COCO config with the tiny test architecture (8..64 channels, one block per
    branch), for fast end-to-end runs."""
    cfg = Config.fromfile(str(W32_CONFIG))
    cfg.model.backbone.extra = TINY_EXTRA
    cfg.model.backbone.init_cfg = None
    cfg.model.head.in_channels = TINY_EXTRA['stage4']['num_channels'][0]
    return cfg


def write_pose_files(cfg: Config, out_dir: Path, seed: int = 0) -> Tuple[Path, Path]:
    """Dump ``cfg`` and a checkpoint of seeded random weights (with ``dataset_meta``) into
    ``out_dir``; returns (config path, checkpoint path)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    config_path = out_dir / 'pose_config.py'
    cfg.dump(str(config_path))
    model = init_pose_model(cfg)
    randomize_(model, seed)
    checkpoint = out_dir / 'pose.pth'
    torch.save({'state_dict': model.state_dict(),
                'meta': {'dataset_meta': model.dataset_meta}}, checkpoint)
    return config_path, checkpoint


def write_rtmdet_files(out_dir: Path, seed: int = 0) -> Tuple[Path, Path]:
    """mmdet's RTMDet-tiny config and a checkpoint of seeded random weights; returns (config,
    checkpoint).

    The config loses its ImageNet initialisation (a download), tests at 320x320 instead of
    640x640 and keeps at most 20 boxes per image, for speed. The weights are random
    (``randomize_weights_``), with the output layers tamed so that the boxes are plausible: person
    scores spread around 0.5, other classes never detected, box sides around 2 strides.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = Config.fromfile(str(RTMDET_CONFIG))
    cfg.model.backbone.init_cfg = None
    cfg.model.test_cfg.max_per_img = 20
    for transform in cfg.test_dataloader.dataset.pipeline:
        if transform.type == 'Resize':
            transform.scale = (320, 320)
        elif transform.type == 'Pad':
            transform.size = (320, 320)
    config_path = out_dir / 'rtmdet_tiny.py'
    cfg.dump(str(config_path))
    torch.manual_seed(seed)  # parameters that are neither convolution nor BatchNorm, if any
    with DefaultScope.overwrite_default_scope('mmdet'):
        detector = MMDET_MODELS.build(cfg.model)
    inputs = _sample_inputs(detector, 320, 320)
    randomize_weights_(detector, seed, lambda: detector.bbox_head(detector.extract_feat(inputs)))
    with torch.no_grad():
        # Calibrated features give person logits of std ~0.8 and box distances of ~1 stride
        # spread: scaled to std ~0.2 (top-20 person scores 0.6-0.98) and ~0.01 stride.
        for cls_conv, reg_conv in zip(detector.bbox_head.rtm_cls, detector.bbox_head.rtm_reg,
                                      strict=True):
            cls_conv.weight *= 0.25
            cls_conv.bias.fill_(-20)  # other classes: never detected
            cls_conv.bias[0] = 0
            reg_conv.weight *= 0.01
            reg_conv.bias.fill_(1)  # distances to the box sides, in strides
    checkpoint = out_dir / 'rtmdet_tiny.pth'
    torch.save({'state_dict': detector.state_dict()}, checkpoint)
    return config_path, checkpoint


def coco_detections(score_thr: float = 0.0) -> Dict[str, np.ndarray]:
    """Boxes of ``test_coco_det_AP_H_56.json`` scoring at least ``score_thr``, per image file
    name: (N, 5) arrays of x1, y1, x2, y2, score."""
    entries = json.loads((COCO_DIR / 'test_coco_det_AP_H_56.json').read_text())
    boxes: Dict[str, list] = {path.name: [] for path in COCO_IMAGES}
    for entry in entries:
        if entry['score'] >= score_thr:
            x, y, w, h = entry['bbox']
            boxes[f'{entry["image_id"]:012d}.jpg'].append([x, y, x + w, y + h, entry['score']])
    return {name: np.asarray(rows, np.float32).reshape(-1, 5) for name, rows in boxes.items()}


def write_video(path: Path, num_frames: int = 5, size: Tuple[int, int] = (320, 240),
                fourcc: str = 'mp4v') -> Path:
    """A short video of the COCO sample images (resized to ``size`` = (W, H)), cycled."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 5, size)
    assert writer.isOpened(), f'OpenCV cannot write {path}'
    for index in range(num_frames):
        writer.write(cv2.resize(cv2.imread(str(COCO_IMAGES[index % len(COCO_IMAGES)])), size))
    writer.release()
    return path
