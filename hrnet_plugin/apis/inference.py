"""Top-down pose inference: build a pose model from a config, estimate keypoints in boxes.

Shapes: N boxes (persons) in an image, K keypoints.
"""
import copy
import functools
import logging
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.model.utils import revert_sync_batchnorm
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmpose.apis.inference import dataset_meta_from_config
from mmpose.datasets import CocoDataset
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.models.builder import build_pose_estimator
from mmpose.structures import PoseDataSample, merge_data_samples
from mmpose.structures.bbox import bbox_xywh2xyxy

from hrnet_plugin.checkpoint import load_weights, read_checkpoint, resolve_checkpoint
from hrnet_plugin.deploy import (
    MAX_CALIBRATION_CROPS,
    optimize_for_inference,
    resolve_precision,
    runtime_pose_model,
)

from .checkpoints import resolve_pose_model
from .io import read_image, to_bgr
from .overlap import ordered_map

logger = logging.getLogger(__name__)

ImageLike = Union[str, Path, np.ndarray]
BoxesLike = Optional[Union[np.ndarray, Sequence[Sequence[float]]]]


def load_config(config: Union[str, Path, Config], cfg_options: Optional[dict] = None) -> Config:
    """A Config from a file (importing its ``custom_imports``) or a deep copy of a Config
    object (the caller's stays untouched), with ``cfg_options`` merged in."""
    if isinstance(config, (str, Path)):
        config = Config.fromfile(str(config))
    elif isinstance(config, Config):
        config = copy.deepcopy(config)
    else:
        raise TypeError(f'config must be a file path or an mmengine Config, got {type(config)}')
    if cfg_options:
        config.merge_from_dict(cfg_options)
    return config


def init_pose_model(config: Union[str, Path, Config], checkpoint: Optional[str] = None,
                    device: str = 'cpu', cfg_options: Optional[dict] = None, *,
                    strict: bool = True, backend: str = 'pytorch', precision: str = 'fp32',
                    fuse_bn: bool = False, channels_last: bool = False, compile: bool = False,
                    calibration: Optional[dict] = None,
                    calibration_size: int = MAX_CALIBRATION_CROPS) -> nn.Module:
    """Build a top-down pose estimator for inference.

    Like ``mmpose.apis.init_model``, with published models by name, downloads into the cache,
    strict loading, optional inference optimisations and CPU runtimes. ``dataset_meta``
    (keypoint names, flip pairs, skeleton) comes from the checkpoint's ``meta['dataset_meta']``,
    else from the config's training dataset, else COCO (with a warning).

    Args:
        config: config file or Config (``model`` = a ``TopdownPoseEstimator``), or the name of
            a published model (``'td-hm_hrnet-w32_8xb64-210e_coco-256x192'``, see
            configs/README.md): its config, and its weights unless ``checkpoint`` is given.
        checkpoint: local checkpoint file, or an ``http(s)://`` URL (downloaded once into
            ``hrnet_plugin.utils.cache_root()`` and verified against the hash in its name);
            None keeps the constructor's weights (PyTorch backend only). Loaded with
            ``weights_only`` safety; mmpose 0.x checkpoints are read as mmpose 1.x reads them.
        device: ``'cpu'``, ``'cuda'``, ``'cuda:1'``... (runtime backends: ``'cpu'``).
        cfg_options: overrides merged into the config.
        strict: refuse weights that do not fit the model (missing, unexpected or mis-shaped
            keys); False loads the fitting ones only (logged), on purpose.
        backend: ``'pytorch'``; or ``'openvino'`` / ``'onnxruntime'``: the backbone and head
            (with the flip test of ``test_cfg``) exported once, cached by the checkpoint's
            sha256, and run by that runtime inside a ``RuntimePoseEstimator`` with the same
            interface (``hrnet_plugin.deploy.backends``).
        precision: ``'fp32'``; ``'bf16'`` (PyTorch autocast, or OpenVINO on CPUs with native
            bfloat16); ``'fp16'`` (PyTorch on CUDA); ``'int8'`` (OpenVINO or onnxruntime, after
            NNCF post-training quantization); ``'auto'``: bf16 where it is native, else fp32
            (logged).
        fuse_bn, channels_last, compile: PyTorch backend: with ``precision``, passed to
            ``hrnet_plugin.deploy.fast_inference.optimize_for_inference`` when any differs from
            its default here (plain fp32, nothing fused).
        calibration: int8: an mmpose dataset config whose persons calibrate the quantization
            (None: the config's ``val_dataloader.dataset``), through the test pipeline.
        calibration_size: int8: number of calibration crops (at most 300).

    Returns:
        The model in eval mode on ``device``, with ``cfg`` and ``dataset_meta`` set.

    Raises:
        FileNotFoundError: the checkpoint file does not exist.
        ValueError: ``config`` is no file and no model of the index; an unknown backend or a
            precision it lacks; bf16 with OpenVINO on a CPU without native bfloat16; a runtime
            backend without a checkpoint or on another device than the CPU.
        hrnet_plugin.checkpoint.DownloadError: a URL cannot be downloaded or verified.
        hrnet_plugin.checkpoint.CheckpointError: the checkpoint cannot be read, or (``strict``)
            its weights do not fit the model; the message names the file and the keys.
    """
    precision = resolve_precision(backend, precision, device)
    config, checkpoint = resolve_pose_model(config, checkpoint)
    if backend != 'pytorch' and checkpoint is None:
        raise ValueError(f'backend {backend!r} needs a checkpoint file (its export is cached by '
                         "the file's sha256)")
    cfg = load_config(config, cfg_options)
    # Fetched before the model is built: a missing file or a failed download fails fast.
    path = resolve_checkpoint(checkpoint) if checkpoint is not None else None
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpose')):
        model = build_pose_estimator(cfg.model)
    # SyncBN (multi-GPU training configs) cannot run in a single inference process.
    model = revert_sync_batchnorm(model)
    dataset_meta = None
    if path is not None:
        ckpt = read_checkpoint(path)
        load_weights(model, ckpt, str(path), strict)
        dataset_meta = (ckpt.get('meta') or {}).get('dataset_meta')
    if dataset_meta is None:
        dataset_meta = dataset_meta_from_config(cfg, dataset_mode='train')
    if dataset_meta is None:
        logger.warning('no dataset_meta in the checkpoint or the config: using COCO\'s')
        dataset_meta = parse_pose_metainfo(CocoDataset.METAINFO)
    model.dataset_meta = dataset_meta
    model.cfg = cfg
    model.to(device).eval()
    if backend != 'pytorch':
        return runtime_pose_model(model, str(path), backend, precision, calibration,
                                  calibration_size)
    if precision != 'fp32' or fuse_bn or channels_last or compile:
        model = optimize_for_inference(model, precision=precision, fuse_bn=fuse_bn,
                                       channels_last=channels_last, compile=compile)
    return model


def prepare_bboxes(bboxes: BoxesLike, image_shape: Tuple[int, int],
                   bbox_format: str = 'xyxy') -> Tuple[np.ndarray, np.ndarray, int]:
    """Clip boxes to the image and drop those left with no area.

    Args:
        bboxes: (N, 4) boxes, or (N, 5) boxes with scores in [0, 1] in the last column.
        image_shape: (H, W).
        bbox_format: ``'xyxy'`` or ``'xywh'`` (top-left corner, width, height).

    Returns:
        Boxes (M, 4) xyxy inside [0, W] x [0, H], their scores (M,) in [0, 1] (1 when not
        given), and the number N - M of dropped boxes: those with a non-finite value (NaN,
        infinity, or beyond float32's range) and those with zero or negative area after
        clipping.

    Raises:
        ValueError: ``bboxes`` are not numbers of shape (N, 4) or (N, 5), a finite score is
            outside [0, 1], or an unknown ``bbox_format``.
    """
    if bbox_format not in ('xyxy', 'xywh'):
        raise ValueError(f"bbox_format must be 'xyxy' or 'xywh', got {bbox_format!r}")
    try:
        with np.errstate(over='ignore'):  # beyond float32's range: inf, dropped below
            boxes = np.asarray(bboxes, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ValueError(f'bboxes must be numbers of shape (N, 4) or (N, 5): {error}') from None
    if boxes.size == 0:
        boxes = boxes.reshape(0, 4)
    if boxes.ndim != 2 or boxes.shape[1] not in (4, 5):
        raise ValueError(f'bboxes must have shape (N, 4) or (N, 5), got {boxes.shape}')
    scores = boxes[:, 4] if boxes.shape[1] == 5 else np.ones(len(boxes), np.float32)
    wrong = np.isfinite(scores) & ((scores < 0) | (scores > 1))
    if wrong.any():
        index = int(np.flatnonzero(wrong)[0])
        raise ValueError(f'box scores must be in [0, 1], got {scores[index]} (box {index})')
    finite = np.isfinite(boxes).all(axis=1)
    with np.errstate(over='ignore', invalid='ignore'):  # x + w of huge or non-finite boxes
        xyxy = bbox_xywh2xyxy(boxes[:, :4]) if bbox_format == 'xywh' else boxes[:, :4]
    height, width = image_shape
    xyxy = np.clip(xyxy, 0, np.array([width, height, width, height], np.float32))
    keep = finite & (xyxy[:, 2] > xyxy[:, 0]) & (xyxy[:, 3] > xyxy[:, 1])
    return xyxy[keep], scores[keep], int((~keep).sum())


def _empty_sample(metainfo: dict, num_keypoints: int) -> PoseDataSample:
    """A result with zero instances, shaped like a merged prediction."""
    sample = PoseDataSample(metainfo=metainfo)
    sample.pred_instances = InstanceData(
        keypoints=np.zeros((0, num_keypoints, 2), np.float32),
        keypoint_scores=np.zeros((0, num_keypoints), np.float32),
        keypoints_visible=np.zeros((0, num_keypoints), np.float32),
        bboxes=np.zeros((0, 4), np.float32), bbox_scores=np.zeros(0, np.float32))
    return sample


def _test_pipeline(model: nn.Module) -> Compose:
    """The model's test pipeline (mmpose's ``LoadImage``/``GetBBoxCenterScale``/
    ``TopdownAffine``/``PackPoseInputs``), built in the config's scope."""
    with DefaultScope.overwrite_default_scope(model.cfg.get('default_scope', 'mmpose')):
        return Compose(model.cfg.test_dataloader.dataset.pipeline)


@torch.no_grad()
def _predict(model: nn.Module, crops: Sequence[dict], batch_size: int) -> List[PoseDataSample]:
    """``model.test_step`` over the packed crops, ``batch_size`` at a time, in order."""
    results: List[PoseDataSample] = []
    for start in range(0, len(crops), batch_size):
        results += model.test_step(pseudo_collate(crops[start:start + batch_size]))
    return results


def inference_topdown(model: nn.Module, img: Union[np.ndarray, str],
                      bboxes: Optional[Union[List, np.ndarray]] = None,
                      bbox_format: str = 'xyxy') -> List[PoseDataSample]:
    """Estimate the pose in each box of one image: ``mmpose.apis.inference_topdown``'s contract.

    Args:
        model: a top-down pose estimator from ``init_pose_model`` (or mmpose's ``init_model``).
        img: an image file path, or an (H, W, 3) BGR array.
        bboxes: (N, 4) boxes; None or empty: the whole image is one box.
        bbox_format: ``'xyxy'`` or ``'xywh'`` (top-left corner, width, height).

    Returns:
        One ``PoseDataSample`` per box, in the boxes' order, with ``pred_instances`` holding one
        instance (``keypoints`` (1, K, 2) in image pixels, ``keypoint_scores`` (1, K)). Boxes
        are used as given (not clipped, none dropped); ``estimate_poses`` is the batched,
        multi-image variant that checks them. One difference: the whole-image box of an
        EXIF-rotated photo has the size of the image as decoded (as the crop sees it), where
        mmpose takes the stored, unrotated size.
    """
    if bbox_format not in ('xyxy', 'xywh'):
        raise ValueError(f"bbox_format must be 'xyxy' or 'xywh', got {bbox_format!r}")
    path = None if isinstance(img, np.ndarray) else str(img)
    image = read_image(path) if path is not None else img
    if bboxes is None or len(bboxes) == 0:
        height, width = image.shape[:2]
        bboxes = np.array([[0, 0, width, height]], np.float32)
    else:
        bboxes = np.asarray(bboxes)
        if bbox_format == 'xywh':
            bboxes = bbox_xywh2xyxy(bboxes)
    pipeline = _test_pipeline(model)
    crops = [pipeline(dict(img=image, img_path=path, bbox=box[None],
                           bbox_score=np.ones(1, np.float32), **model.dataset_meta))
             for box in bboxes]
    return _predict(model, crops, len(crops))


def _prepare_image(pipeline: Compose, dataset_meta: dict, bbox_format: str, image: ImageLike,
                   boxes: BoxesLike) -> Tuple[dict, List[dict]]:
    """Read one image and crop its boxes: (the metainfo of its result, its packed crops)."""
    path = None if isinstance(image, np.ndarray) else str(image)
    image = read_image(path) if path is not None else to_bgr(image)
    height, width = image.shape[:2]
    if boxes is None:
        boxes = np.array([[0, 0, width, height]], np.float32)
    boxes, scores, dropped = prepare_bboxes(boxes, (height, width), bbox_format)
    metainfo = {'img_path': path, 'ori_shape': (height, width), 'img_shape': (height, width),
                'num_dropped_bboxes': dropped}
    crops = [pipeline(dict(img=image, img_path=path, bbox=box[None], bbox_score=score[None],
                           **dataset_meta))
             for box, score in zip(boxes, scores)]
    return metainfo, crops


@torch.no_grad()
def _predict_into(model: nn.Module, queue: List[Tuple[int, dict]],
                  per_image: List[List[PoseDataSample]]) -> None:
    """``model.test_step`` on the queued (image index, crop) pairs, each result appended to its
    image's list."""
    owners, crops = zip(*queue)
    for owner, sample in zip(owners, model.test_step(pseudo_collate(list(crops)))):
        per_image[owner].append(sample)


def estimate_poses(model: nn.Module, images: Sequence[ImageLike],
                   bboxes: Optional[Sequence[BoxesLike]] = None, batch_size: int = 32,
                   bbox_format: str = 'xyxy', num_workers: int = 2) -> List[PoseDataSample]:
    """Estimate the poses of the persons in the boxes of many images, batched across images.

    Each image is read once; the crops of all images go through the model's test pipeline and
    through the model in batches of up to ``batch_size``, whatever image they come from. While
    the model runs a batch, ``num_workers`` threads read and crop the next images (at most
    ``2 * num_workers`` images ahead, so memory stays bounded); the results are the same as
    with ``num_workers=0`` (everything in the calling thread, one step after the other). An
    image that cannot be read raises its error when its turn comes, as it would sequentially.

    Boxes are clipped to the image; boxes left with zero (or negative, or non-finite) area are
    dropped and counted in each result's ``metainfo['num_dropped_bboxes']`` (their total is
    logged at INFO level). ``None`` boxes: the whole image is one box; an empty box array: no
    person (an empty result).

    Args:
        model: a top-down pose estimator from ``init_pose_model``.
        images: file paths or (H, W, 3) BGR arrays (grayscale (H, W) and BGRA (H, W, 4)
            arrays are converted).
        bboxes: per image, (N, 4) boxes or (N, 5) boxes with detection scores, or None; None
            for all: whole images.
        batch_size: crops per forward pass.
        bbox_format: ``'xyxy'`` or ``'xywh'``.
        num_workers: threads that read and crop images ahead of the model; 0: none.

    Returns:
        One ``PoseDataSample`` per image (its boxes' results merged as
        ``mmpose.structures.merge_data_samples`` does), ``pred_instances`` holding
        ``keypoints`` (N, K, 2) in image pixels, ``keypoint_scores`` (N, K), ``bboxes``
        (N, 4) xyxy and ``bbox_scores`` (N,).
    """
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}')
    bboxes = [None] * len(images) if bboxes is None else bboxes
    if len(bboxes) != len(images):
        raise ValueError(f'got {len(images)} images but {len(bboxes)} box arrays')
    prepare = functools.partial(_prepare_image, _test_pipeline(model), model.dataset_meta,
                                bbox_format)
    metainfos: List[dict] = []
    per_image: List[List[PoseDataSample]] = []
    queue: List[Tuple[int, dict]] = []  # (image index, crop) waiting for the model
    prepared = ordered_map(lambda pair: prepare(*pair), zip(images, bboxes), num_workers)
    for index, (metainfo, crops) in enumerate(prepared):
        metainfos.append(metainfo)
        per_image.append([])
        queue += [(index, crop) for crop in crops]
        while len(queue) >= batch_size:
            _predict_into(model, queue[:batch_size], per_image)
            del queue[:batch_size]
    if queue:
        _predict_into(model, queue, per_image)

    dropped = sum(m['num_dropped_bboxes'] for m in metainfos)
    if dropped:
        logger.info('dropped %d box(es) with no area inside their image', dropped)
    num_keypoints = model.dataset_meta['num_keypoints']
    results = []
    for samples, metainfo in zip(per_image, metainfos):
        if samples:
            merged = merge_data_samples(samples)
            merged.set_metainfo({'num_dropped_bboxes': metainfo['num_dropped_bboxes']})
        else:
            merged = _empty_sample(metainfo, num_keypoints)
        results.append(merged)
    return results
