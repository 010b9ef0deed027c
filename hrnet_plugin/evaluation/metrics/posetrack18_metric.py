"""PoseTrack18 per-frame multi-person pose estimation mAP, without ``poseval``.

mmpose's ``PoseTrack18Metric`` writes predictions to disk and scores them with ``poseval``, which
is not on PyPI. This metric keeps mmpose's handling of top-down outputs (rescoring, OKS-NMS,
optional per-video result files) and scores in memory with
:mod:`hrnet_plugin.evaluation.functional.posetrack_map`, a re-implementation of poseval's AP.
"""
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.evaluation.functional import oks_nms, soft_oks_nms

from hrnet_plugin.evaluation.functional.posetrack_map import (
    POSETRACK18_EVAL_INDICES,
    POSETRACK18_KEYPOINTS,
    PoseTrackFrame,
    joint_average_precision,
    summarize_average_precision,
)
from hrnet_plugin.evaluation.functional.rescoring import SCORE_MODES, instance_scores
from hrnet_plugin.registry import METRICS
from hrnet_plugin.utils import PERSON_CATEGORY_ID, PathLike, read_json

_NUM_KEYPOINTS = len(POSETRACK18_KEYPOINTS)
_NMS_MODES = ('oks_nms', 'soft_oks_nms', 'none')


@dataclass(frozen=True)
class PoseTrack18Image:
    """Ground truth of one image; K = 17 PoseTrack18 keypoints, G persons, V vertices."""

    image_id: int
    file_name: str
    sequence: str
    keypoints: np.ndarray  # (G, K, 2)
    annotated: np.ndarray  # (G, K) bool
    head_boxes: np.ndarray  # (G, 4) [x, y, w, h]; nan where a person has none
    ignore_regions: Tuple[np.ndarray, ...]  # each (V, 2)


def _read_json(path: Path) -> dict:
    """Parse one PoseTrack18 json and check that it has the fields the metric uses."""
    content = read_json(path, 'PoseTrack18 annotation file')
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


def _person_arrays(annotations: List[dict],
                   path: Path) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keypoints (G, K, 2), annotated mask (G, K) and head boxes (G, 4) of one image."""
    keypoints = np.zeros((len(annotations), _NUM_KEYPOINTS, 3))
    head_boxes = np.full((len(annotations), 4), np.nan)
    for i, ann in enumerate(annotations):
        values = np.asarray(ann.get('keypoints', ()), dtype=np.float64)
        if values.size != 3 * _NUM_KEYPOINTS:
            raise ValueError(f'{path}: annotation {ann.get("id")}: field "keypoints" must hold '
                             f'{_NUM_KEYPOINTS} x 3 values, got {values.size}')
        keypoints[i] = values.reshape(_NUM_KEYPOINTS, 3)
        if 'bbox_head' in ann:
            box = np.asarray(ann['bbox_head'], dtype=np.float64)
            if box.size != 4:
                raise ValueError(f'{path}: annotation {ann.get("id")}: field "bbox_head" must be '
                                 f'[x, y, w, h], got {ann["bbox_head"]}')
            head_boxes[i] = box.reshape(4)
    # poseval drops a ground-truth joint only when it is stored as (0, 0, 0).
    annotated = np.any(keypoints != 0, axis=-1)
    missing_head = annotated.any(-1) & np.isnan(head_boxes).any(-1)
    if missing_head.any():
        ann_id = annotations[int(np.argmax(missing_head))].get('id')
        raise ValueError(f'{path}: annotation {ann_id} has annotated joints but no "bbox_head"'
                         ' (needed for the PCKh head size)')
    return keypoints[..., :2], annotated, head_boxes


def load_posetrack18_ground_truth(ann_file: PathLike) -> Dict[int, PoseTrack18Image]:
    """Load PoseTrack18 annotations from one combined json or a directory of per-video jsons.

    Args:
        ann_file: a COCO-style json (``images``, ``annotations``; e.g. mmpose's
            ``posetrack18_val.json``) or a directory of PoseTrack18 per-video jsons.

    Returns:
        Every image by its id (the ``img_id`` mmpose's data samples carry).

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
        by_image: Dict[Any, List[dict]] = defaultdict(list)
        for ann in content['annotations']:
            by_image[ann.get('image_id')].append(ann)
        known = {image.get('id') for image in content['images']}
        orphans = set(by_image) - known
        if orphans:
            raise ValueError(f'{path}: field "annotations" refers to unknown image ids '
                             f'{sorted(orphans, key=str)[:5]}')
        for image in content['images']:
            if 'id' not in image or 'file_name' not in image:
                raise ValueError(f'{path}: an entry of "images" lacks "id" or "file_name"')
            if image['id'] in images:
                raise ValueError(f'{path}: field "images" repeats image id {image["id"]}')
            keypoints, annotated, head_boxes = _person_arrays(by_image[image['id']], path)
            # Result files are named like poseval's per-video ground truth: the json's stem, or
            # for a combined json the frame's folder (images/val/<sequence>/000000.jpg).
            sequence = path.stem if root.is_dir() else Path(image['file_name']).parent.name
            images[image['id']] = PoseTrack18Image(
                image['id'], image['file_name'], sequence, keypoints, annotated, head_boxes,
                _ignore_regions(image, path))
    return images


@METRICS.register_module()
class PoseTrack18Metric(BaseMetric):
    """PoseTrack18 multi-person pose estimation mAP (poseval protocol, scored in memory).

    Consumes the data samples of mmpose's ``TopdownPoseEstimator`` like mmpose's
    ``CocoMetric``/``PoseTrack18Metric``: per sample ``pred_instances`` with ``keypoints``
    (N, K, 2) and ``keypoint_scores`` (N, K), the annotation/detection ``id`` and the frame's
    ``img_id``. Instances are rescored (``score_mode``), de-duplicated by ``id`` and filtered by
    OKS-NMS per frame, then scored with poseval's AP (see
    :mod:`hrnet_plugin.evaluation.functional.posetrack_map`), using each keypoint's score as
    the detection confidence, as mmpose's submission files do.

    Args:
        ann_file: combined PoseTrack18 json (``images``/``annotations``, with ``bbox_head`` per
            person and ``ignore_regions_x``/``_y`` per image) or a directory of per-video jsons.
        score_mode: instance score for NMS: ``'bbox'``, ``'bbox_keypoint'`` (detector score
            times the mean keypoint score above ``keypoint_score_thr``), ``'bbox_rle'`` or
            ``'keypoint'``.
        keypoint_score_thr: see ``score_mode``.
        nms_mode: ``'oks_nms'``, ``'soft_oks_nms'`` or ``'none'``; the OKS modes need
            ``dataset_meta['sigmas']`` (set by the runner from the dataset).
        nms_thr: OKS threshold of the NMS.
        outfile_prefix: when set, predictions are also written in the PoseTrack18 submission
            format, one ``<sequence>.json`` per video in the folder of this prefix (as mmpose
            does, so poseval can be pointed at that folder).
        collect_device: ``'cpu'`` or ``'gpu'``, for collecting results across ranks.
        prefix: metric-name prefix; defaults to ``'posetrack18'``.

    Returns from :meth:`compute_metrics` (in percent): ``'Head AP'``, ``'Shou AP'``,
    ``'Elb AP'``, ``'Wri AP'``, ``'Hip AP'``, ``'Knee AP'``, ``'Ankl AP'``, ``'Total AP'``
    (mmpose's configs select checkpoints by ``posetrack18/Total AP``).
    """

    default_prefix = 'posetrack18'

    def __init__(self, ann_file: str, score_mode: str = 'bbox_keypoint',
                 keypoint_score_thr: float = 0.2, nms_mode: str = 'oks_nms',
                 nms_thr: float = 0.9, outfile_prefix: Optional[str] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if score_mode not in SCORE_MODES:
            raise ValueError(f'score_mode must be one of {SCORE_MODES}, got {score_mode!r}')
        if nms_mode not in _NMS_MODES:
            raise ValueError(f'nms_mode must be one of {_NMS_MODES}, got {nms_mode!r}')
        self.ann_file = ann_file
        self.score_mode = score_mode
        self.keypoint_score_thr = keypoint_score_thr
        self.nms_mode = nms_mode
        self.nms_thr = nms_thr
        self.outfile_prefix = outfile_prefix
        self.ground_truth = load_posetrack18_ground_truth(ann_file)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep the predicted instances of each sample (arrays, so results can be gathered).

        Args:
            data_batch: the model inputs (unused).
            data_samples: dicts with ``id``, ``img_id``, ``pred_instances`` (``keypoints``
                (N, K, 2), ``keypoint_scores`` (N, K), optionally ``bbox_scores`` (N,)) and
                ``gt_instances`` (optionally ``bbox_scores`` (N,) of the detections and
                ``bbox_scales`` (N, 2) for the OKS areas).
        """
        for sample in data_samples:
            if 'pred_instances' not in sample:
                raise ValueError(f'{type(self).__name__} needs "pred_instances" in each sample')
            pred, gt = sample['pred_instances'], sample.get('gt_instances', {})
            keypoints = np.asarray(pred['keypoints'], dtype=np.float64)
            keypoint_scores = np.asarray(pred['keypoint_scores'], dtype=np.float64)
            if keypoints.shape[:2] != keypoint_scores.shape or keypoints.shape[1:] != (
                    _NUM_KEYPOINTS, 2):
                raise ValueError(f'pred_instances: keypoints {keypoints.shape} and '
                                 f'keypoint_scores {keypoint_scores.shape} must be (N, '
                                 f'{_NUM_KEYPOINTS}, 2) and (N, {_NUM_KEYPOINTS})')
            num = len(keypoints)
            # Detector scores: predicted by one-stage models, else those of the top-down input
            # boxes (when they belong to these instances), else neutral.
            bbox_scores = pred.get('bbox_scores', gt.get('bbox_scores'))
            if bbox_scores is None or len(bbox_scores) != num:
                bbox_scores = np.ones(num)
            if 'bbox_scales' in gt and len(gt['bbox_scales']) == num:
                areas = np.prod(np.asarray(gt['bbox_scales'], dtype=np.float64), axis=1)
            else:
                extent = keypoints.max(axis=1) - keypoints.min(axis=1)
                areas = extent[:, 0] * extent[:, 1]
            self.results.append({
                'id': sample['id'], 'img_id': sample['img_id'], 'keypoints': keypoints,
                'keypoint_scores': keypoint_scores,
                'bbox_scores': np.asarray(bbox_scores, dtype=np.float64).reshape(num),
                'areas': areas})

    def _frame_predictions(self, results: List[dict]) -> Dict[int, Dict[str, np.ndarray]]:
        """Per frame: instances after de-duplication, rescoring and NMS.

        Returns:
            ``{img_id: {'keypoints': (P, K, 2), 'keypoint_scores': (P, K), 'scores': (P,)}}``.
        """
        by_image: Dict[int, Dict[tuple, dict]] = defaultdict(dict)
        for result in results:
            # Distributed sampling may repeat samples: keep the first of each id (a list of ids
            # for bottom-up samples), and order by id so NMS ties break the same on any setup.
            key = tuple(np.atleast_1d(result['id']).tolist())
            by_image[result['img_id']].setdefault(key, result)
        frames = {}
        for img_id, samples in by_image.items():
            kept = [samples[key] for key in sorted(samples)]
            keypoints = np.concatenate([s['keypoints'] for s in kept])
            keypoint_scores = np.concatenate([s['keypoint_scores'] for s in kept])
            scores = instance_scores(np.concatenate([s['bbox_scores'] for s in kept]),
                                      keypoint_scores, self.score_mode, self.keypoint_score_thr)
            if self.nms_mode != 'none':
                keep = self._nms(keypoints, keypoint_scores, scores,
                                 np.concatenate([s['areas'] for s in kept]))
                keypoints, keypoint_scores, scores = (
                    keypoints[keep], keypoint_scores[keep], scores[keep])
            frames[img_id] = {'keypoints': keypoints, 'keypoint_scores': keypoint_scores,
                              'scores': scores}
        return frames

    def _nms(self, keypoints: np.ndarray, keypoint_scores: np.ndarray, scores: np.ndarray,
             areas: np.ndarray) -> np.ndarray:
        """Indices kept by mmpose's (soft) OKS-NMS; inputs (P, K, 2), (P, K), (P,), (P,)."""
        sigmas = (self.dataset_meta or {}).get('sigmas')
        if sigmas is None:
            raise ValueError(f'nms_mode={self.nms_mode!r} needs dataset_meta["sigmas"]; set '
                             'the metric\'s dataset_meta or use nms_mode="none"')
        instances = [
            {'keypoints': np.concatenate([k, s[:, None]], axis=-1), 'score': c, 'area': a}
            for k, s, c, a in zip(keypoints, keypoint_scores, scores, areas)]
        nms = oks_nms if self.nms_mode == 'oks_nms' else soft_oks_nms
        return np.asarray(nms(instances, self.nms_thr, sigmas=np.asarray(sigmas)), dtype=int)

    def _write_results(self, frames: Dict[int, Dict[str, np.ndarray]]) -> Path:
        """Write one PoseTrack18 submission json per video next to ``outfile_prefix``."""
        folder = Path(self.outfile_prefix).parent
        folder.mkdir(parents=True, exist_ok=True)
        videos: Dict[str, Dict[str, list]] = defaultdict(
            lambda: {'images': [], 'annotations': []})
        for image in self.ground_truth.values():
            video = videos[image.sequence]
            video['images'].append({'id': image.image_id, 'file_name': image.file_name})
            pred = frames.get(image.image_id)
            if pred is None:
                continue
            for track_id, (kpts, kpt_scores, score) in enumerate(
                    zip(pred['keypoints'], pred['keypoint_scores'], pred['scores'])):
                # poseval reads each joint's confidence from "scores"; the third keypoint value
                # repeats it, as in mmpose's files.
                video['annotations'].append({
                    'image_id': image.image_id, 'track_id': track_id, 'score': float(score),
                    'keypoints': np.concatenate([kpts, kpt_scores[:, None]], -1).ravel().tolist(),
                    'scores': kpt_scores.tolist()})
        category = {'id': PERSON_CATEGORY_ID, 'name': 'person', 'supercategory': 'person',
                    'keypoints': list(POSETRACK18_KEYPOINTS)}
        for sequence, video in videos.items():
            (folder / f'{sequence}.json').write_text(
                json.dumps({'categories': [category], **video}, indent=1))
        return folder

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Score all processed samples against the frames of ``ann_file``.

        Args:
            results: what :meth:`process` collected, from all ranks.

        Returns:
            AP per body-part group and ``'Total AP'``, in percent.
        """
        logger = MMLogger.get_current_instance()
        frames = self._frame_predictions(results)
        if self.outfile_prefix is not None:
            logger.info(f'PoseTrack18 predictions written to {self._write_results(frames)}')
        empty = {'keypoints': np.zeros((0, _NUM_KEYPOINTS, 2)),
                 'keypoint_scores': np.zeros((0, _NUM_KEYPOINTS))}
        eval_frames = []
        for image in self.ground_truth.values():
            # poseval scores only frames with ground-truth persons.
            if len(image.keypoints) == 0:
                continue
            pred = frames.get(image.image_id, empty)
            eval_frames.append(PoseTrackFrame(
                gt_keypoints=image.keypoints[:, POSETRACK18_EVAL_INDICES],
                gt_annotated=image.annotated[:, POSETRACK18_EVAL_INDICES],
                gt_head_boxes=image.head_boxes,
                pred_keypoints=pred['keypoints'][:, POSETRACK18_EVAL_INDICES],
                pred_scores=pred['keypoint_scores'][:, POSETRACK18_EVAL_INDICES],
                ignore_regions=image.ignore_regions))
        if not eval_frames:
            raise ValueError(f'{self.ann_file}: no image has ground-truth persons to evaluate')
        logger.info(f'Evaluating {type(self).__name__} on {len(eval_frames)} frames '
                    f'({len(frames)} with predictions)')
        summary = summarize_average_precision(joint_average_precision(eval_frames))
        names = [name.removesuffix(' AP') for name in summary]
        logger.info('Average Precision (AP), poseval protocol:\n'
                    + ' | '.join(f'{name:>5}' for name in names) + '\n'
                    + ' | '.join(f'{value:5.1f}' for value in summary.values()))
        return summary
