"""Person detection with an mmdet 3.x detector, and the detector -> pose model pipeline.

Shapes: B frames, N person boxes in a frame.
"""
import copy
import warnings
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmcv.transforms import Compose
from mmdet.apis import init_detector as mmdet_init_detector
from mmdet.utils import get_test_pipeline_cfg
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmpose.evaluation.functional import nms
from mmpose.structures import PoseDataSample

from hrnet_plugin.checkpoint import load_weights, read_checkpoint, resolve_checkpoint

from .inference import ImageLike, estimate_poses
from .io import read_image, to_bgr
from .overlap import ordered_map


def init_detector(config: Union[str, Path, Config], checkpoint: Optional[str] = None,
                  device: str = 'cpu', cfg_options: Optional[dict] = None, *,
                  strict: bool = True) -> nn.Module:
    """``mmdet.apis.init_detector`` with a checkpoint that is a local file or an ``http(s)://``
    URL (mmdet's published weights: downloaded once into ``hrnet_plugin.utils.cache_root()``
    and verified against the hash in the name), loaded strictly.

    Args:
        config: mmdet config file or Config.
        checkpoint: checkpoint file or URL; None keeps the constructor's weights.
        device: ``'cpu'``, ``'cuda'``...
        cfg_options: overrides merged into the config.
        strict: refuse weights that do not fit the detector; False loads the fitting ones.

    Raises:
        FileNotFoundError: the checkpoint file does not exist.
        hrnet_plugin.checkpoint.DownloadError: a URL cannot be downloaded or verified.
        hrnet_plugin.checkpoint.CheckpointError: the checkpoint cannot be read, or (``strict``)
            its weights do not fit the detector.
    """
    path = resolve_checkpoint(checkpoint) if checkpoint is not None else None
    config = str(config) if isinstance(config, Path) else config
    with warnings.catch_warnings():
        # mmdet warns that a detector built without checkpoint gets COCO's class names; the
        # checkpoint's follow below.
        warnings.simplefilter('ignore', UserWarning)
        detector = mmdet_init_detector(config, None, device=device, cfg_options=cfg_options)
    if path is not None:
        loaded = read_checkpoint(path)
        load_weights(detector, loaded, str(path), strict)
        # Class names as mmdet's init_detector reads them (mmdet 3.x meta, else 2.x).
        meta = loaded.get('meta') or {}
        dataset_meta = {k.lower(): v for k, v in (meta.get('dataset_meta') or {}).items()}
        classes = dataset_meta.get('classes', meta.get('CLASSES'))
        if classes is not None:
            detector.dataset_meta['classes'] = classes
    return detector


def _decoded(frame: ImageLike) -> np.ndarray:
    """A frame as an (H, W, 3) BGR array: a path read, an array converted."""
    return to_bgr(frame) if isinstance(frame, np.ndarray) else read_image(frame)


def _check_threshold(name: str, value: float) -> float:
    if not 0 <= value <= 1:
        raise ValueError(f'{name} must be in [0, 1], got {value}')
    return float(value)


def select_person_boxes(boxes: np.ndarray, bbox_thr: float,
                        nms_thr: Optional[float] = None) -> np.ndarray:
    """Keep the boxes scoring above ``bbox_thr``, then apply NMS (mmpose's, IoU > ``nms_thr``
    suppressed) unless ``nms_thr`` is None.

    Args:
        boxes: (N, 5) xyxy boxes and scores.

    Returns:
        (M, 5) boxes, the NMS survivors by decreasing score.
    """
    boxes = np.asarray(boxes, np.float32).reshape(-1, 5)
    boxes = boxes[boxes[:, 4] > bbox_thr]
    if nms_thr is not None:
        boxes = boxes[np.asarray(nms(boxes, nms_thr), dtype=np.int64)]
    return boxes


class TopDownPipeline:
    """Detect persons with an mmdet detector, then estimate their poses (top-down).

    Frames are detected in batches of ``det_batch_size`` (one ``test_step``; mmdet pads a
    batch to its largest input as its own batched testing does), person boxes are filtered
    (label ``det_cat_id``, score > ``bbox_thr``, NMS at ``nms_thr``) and the crops of all
    frames go through the pose model in batches of ``batch_size``.

    Args:
        pose_model: from ``init_pose_model``.
        detector: from ``init_detector``; None: boxes must be given (or whole images are
            used).
        det_cat_id: detector label of persons (0 in COCO-trained mmdet detectors).
        bbox_thr: minimum detection score in [0, 1] (also applied to given boxes).
        nms_thr: IoU in [0, 1] above which the lower-scoring of two person boxes is dropped.
        batch_size: pose crops per forward pass.
        det_batch_size: frames per detector forward pass.
        num_workers: threads that read and crop frames while the models run
            (``estimate_poses``); 0: none.
    """

    def __init__(self, pose_model: nn.Module, detector: Optional[nn.Module] = None,
                 det_cat_id: int = 0, bbox_thr: float = 0.3, nms_thr: float = 0.3,
                 batch_size: int = 32, det_batch_size: int = 4, num_workers: int = 2) -> None:
        if batch_size < 1 or det_batch_size < 1:
            raise ValueError(f'batch sizes must be >= 1, got batch_size={batch_size}, '
                             f'det_batch_size={det_batch_size}')
        self.pose_model = pose_model
        self.detector = detector
        self.det_cat_id = det_cat_id
        self.bbox_thr = _check_threshold('bbox_thr', bbox_thr)
        self.nms_thr = _check_threshold('nms_thr', nms_thr)
        self.batch_size = batch_size
        self.det_batch_size = det_batch_size
        self.num_workers = num_workers
        self._det_pipeline = None
        self._det_scope = None if detector is None else detector.cfg.get('default_scope', 'mmdet')
        if detector is not None:
            pipeline_cfg = copy.deepcopy(get_test_pipeline_cfg(detector.cfg))
            # Frames are arrays: replace the file loader as mmdet's inference_detector does.
            pipeline_cfg[0].type = 'mmdet.LoadImageFromNDArray'
            with DefaultScope.overwrite_default_scope(self._det_scope):
                self._det_pipeline = Compose(pipeline_cfg)

    @torch.no_grad()
    def detect(self, frames: Sequence[np.ndarray]) -> List[np.ndarray]:
        """Person boxes of each (H, W, 3) BGR frame: a list of B arrays (N, 5), xyxy + score,
        after ``det_cat_id``/``bbox_thr``/NMS filtering."""
        if self.detector is None:
            raise RuntimeError('TopDownPipeline.detect needs a detector')
        results = []
        for start in range(0, len(frames), self.det_batch_size):
            chunk = frames[start:start + self.det_batch_size]
            batch = pseudo_collate([self._det_pipeline({'img': frame, 'img_id': start + i})
                                    for i, frame in enumerate(chunk)])
            with DefaultScope.overwrite_default_scope(self._det_scope):
                results += self.detector.test_step(batch)
        person_boxes = []
        for sample in results:
            pred = sample.pred_instances[sample.pred_instances.labels == self.det_cat_id]
            boxes = torch.cat([pred.bboxes, pred.scores[:, None]], dim=1).cpu().numpy()
            person_boxes.append(select_person_boxes(boxes, self.bbox_thr, self.nms_thr))
        return person_boxes

    def __call__(self, frames: Union[ImageLike, Sequence[ImageLike]],
                 bboxes: Optional[Sequence[Optional[np.ndarray]]] = None
                 ) -> List[PoseDataSample]:
        """Poses in one frame or a list of frames (paths or (H, W, 3) BGR arrays).

        Args:
            frames: the images; paths are read once (``read_image``).
            bboxes: per frame, (N, 5) xyxy boxes with scores, filtered by ``bbox_thr`` only
                (precomputed detections are taken as already de-duplicated); None: run the
                detector, or use whole images when there is none.

        Returns:
            One ``PoseDataSample`` per frame, as ``estimate_poses`` returns.
        """
        if isinstance(frames, (str, Path, np.ndarray)):
            frames = [frames]
        paths = [None if isinstance(f, np.ndarray) else str(f) for f in frames]
        if bboxes is not None:
            bboxes = [None if b is None else select_person_boxes(b, self.bbox_thr)
                      for b in bboxes]
        elif self.detector is not None:
            # The detector needs the decoded frames (read in parallel); the pose model then
            # takes the arrays. Otherwise estimate_poses reads the files while the model runs.
            frames = list(ordered_map(_decoded, frames, self.num_workers))
            bboxes = self.detect(frames)
        results = estimate_poses(self.pose_model, frames, bboxes, self.batch_size,
                                 num_workers=self.num_workers)
        for result, path in zip(results, paths):
            result.set_metainfo({'img_path': path})
        return results
