"""PoseTrack18 multi-person pose estimation mAP and tracking MOTA, without ``poseval``.

mmpose's ``PoseTrack18Metric`` writes predictions to disk and scores them with ``poseval``, which
is not on PyPI. This metric keeps mmpose's handling of top-down outputs (rescoring, OKS-NMS,
optional per-video result files) and scores in memory with
:mod:`hrnet_plugin.evaluation.functional.posetrack_map` and
:mod:`~hrnet_plugin.evaluation.functional.posetrack_mota`, re-implementations of poseval's AP
and MOT metrics. For the MOT metrics, the poses of each video are linked into tracks by
:mod:`~hrnet_plugin.evaluation.functional.pose_linking` (greedy OKS matching, the paper's
protocol without optical flow).
"""
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.evaluation.functional import oks_nms, soft_oks_nms

from hrnet_plugin.evaluation.functional.pose_linking import TrackState, link_poses
from hrnet_plugin.evaluation.functional.posetrack_map import (
    POSETRACK18_KEYPOINTS,
    joint_average_precision,
    summarize_average_precision,
)
from hrnet_plugin.evaluation.functional.posetrack_mota import (
    posetrack_tracking,
    summarize_tracking,
)
from hrnet_plugin.evaluation.functional.rescoring import SCORE_MODES, instance_scores
from hrnet_plugin.evaluation.posetrack18_files import (
    PoseTrack18Image,
    evaluation_frame,
    load_posetrack18_ground_truth,
    posetrack18_json,
    posetrack18_person,
)
from hrnet_plugin.registry import METRICS
from hrnet_plugin.utils import atomic_write_text

_NUM_KEYPOINTS = len(POSETRACK18_KEYPOINTS)
_NMS_MODES = ('oks_nms', 'soft_oks_nms', 'none')


@METRICS.register_module()
class PoseTrack18Metric(BaseMetric):
    """PoseTrack18 multi-person pose estimation mAP and, optionally, pose tracking MOTA
    (poseval protocol, scored in memory).

    Consumes the data samples of mmpose's ``TopdownPoseEstimator`` like mmpose's
    ``CocoMetric``/``PoseTrack18Metric``: per sample ``pred_instances`` with ``keypoints``
    (N, K, 2) and ``keypoint_scores`` (N, K), the annotation/detection ``id`` and the frame's
    ``img_id``. Instances are rescored (``score_mode``), de-duplicated by ``id`` and filtered by
    OKS-NMS per frame, then scored with poseval's AP (see
    :mod:`hrnet_plugin.evaluation.functional.posetrack_map`), using each keypoint's score as
    the detection confidence, as mmpose's submission files do. With ``tracking``, the poses of
    each video are linked into tracks frame after frame (``link_poses``: greedy OKS matching
    with the dataset's sigmas and the instances' areas) and scored with poseval's MOTA, MOTP,
    precision and recall (:mod:`hrnet_plugin.evaluation.functional.posetrack_mota`).

    Args:
        ann_file: combined PoseTrack18 json (``images``/``annotations``, with ``bbox_head`` per
            person and ``ignore_regions_x``/``_y`` per image) or a directory of per-video jsons;
            with ``tracking``, persons need ``track_id`` and videos list all their frames in
            order.
        score_mode: instance score for NMS: ``'bbox'``, ``'bbox_keypoint'`` (detector score
            times the mean keypoint score above ``keypoint_score_thr``), ``'bbox_rle'`` or
            ``'keypoint'``.
        keypoint_score_thr: see ``score_mode``.
        nms_mode: ``'oks_nms'``, ``'soft_oks_nms'`` or ``'none'``; the OKS modes need
            ``dataset_meta['sigmas']`` (set by the runner from the dataset).
        nms_thr: OKS threshold of the NMS.
        outfile_prefix: when set, predictions are also written in the PoseTrack18 submission
            format, one ``<sequence>.json`` per video in the folder of this prefix (as mmpose
            does, so poseval can be pointed at that folder); track ids are those of the
            tracking, else the person's index in its frame.
        tracking: also compute the tracking metrics (needs ``dataset_meta['sigmas']``).
        track_oks_thr: least OKS with which a pose continues a track.
        track_max_age: frames a track may go unmatched and still continue.
        collect_device: ``'cpu'`` or ``'gpu'``, for collecting results across ranks.
        prefix: metric-name prefix; defaults to ``'posetrack18'``.

    Returns from :meth:`compute_metrics` (in percent): ``'Head AP'``, ``'Shou AP'``,
    ``'Elb AP'``, ``'Wri AP'``, ``'Hip AP'``, ``'Knee AP'``, ``'Ankl AP'``, ``'Total AP'``
    (mmpose's configs select checkpoints by ``posetrack18/Total AP``); with ``tracking`` also
    ``'<group> MOTA'`` for the same groups, ``'Total MOTA'``, ``'Total MOTP'``,
    ``'Total Precision'`` and ``'Total Recall'``.
    """

    default_prefix = 'posetrack18'

    def __init__(self, ann_file: str, score_mode: str = 'bbox_keypoint',
                 keypoint_score_thr: float = 0.2, nms_mode: str = 'oks_nms',
                 nms_thr: float = 0.9, outfile_prefix: Optional[str] = None,
                 tracking: bool = False, track_oks_thr: float = 0.3, track_max_age: int = 5,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if score_mode not in SCORE_MODES:
            raise ValueError(f'score_mode must be one of {SCORE_MODES}, got {score_mode!r}')
        if nms_mode not in _NMS_MODES:
            raise ValueError(f'nms_mode must be one of {_NMS_MODES}, got {nms_mode!r}')
        if not 0 <= track_oks_thr <= 1 or track_max_age < 1:
            raise ValueError(f'track_oks_thr must be in [0, 1] and track_max_age >= 1, got '
                             f'{track_oks_thr} and {track_max_age}')
        self.ann_file = ann_file
        self.score_mode = score_mode
        self.keypoint_score_thr = keypoint_score_thr
        self.nms_mode = nms_mode
        self.nms_thr = nms_thr
        self.outfile_prefix = outfile_prefix
        self.tracking = tracking
        self.track_oks_thr = track_oks_thr
        self.track_max_age = track_max_age
        self.ground_truth = load_posetrack18_ground_truth(ann_file, require_track_ids=tracking)

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
            areas = np.concatenate([s['areas'] for s in kept])
            if self.nms_mode != 'none':
                keep = self._nms(keypoints, keypoint_scores, scores, areas)
                keypoints, keypoint_scores, scores, areas = (
                    keypoints[keep], keypoint_scores[keep], scores[keep], areas[keep])
            frames[img_id] = {'keypoints': keypoints, 'keypoint_scores': keypoint_scores,
                              'scores': scores, 'areas': areas}
        return frames

    def _sigmas(self, purpose: str) -> np.ndarray:
        """The dataset's keypoint sigmas, or an error saying what needs them."""
        sigmas = (self.dataset_meta or {}).get('sigmas')
        if sigmas is None:
            raise ValueError(f'{purpose} needs dataset_meta["sigmas"]; set the metric\'s '
                             'dataset_meta')
        return np.asarray(sigmas, dtype=np.float64)

    def _nms(self, keypoints: np.ndarray, keypoint_scores: np.ndarray, scores: np.ndarray,
             areas: np.ndarray) -> np.ndarray:
        """Indices kept by mmpose's (soft) OKS-NMS; inputs (P, K, 2), (P, K), (P,), (P,)."""
        sigmas = self._sigmas(f'nms_mode={self.nms_mode!r} (else use nms_mode="none")')
        instances = [
            {'keypoints': np.concatenate([k, s[:, None]], axis=-1), 'score': c, 'area': a}
            for k, s, c, a in zip(keypoints, keypoint_scores, scores, areas)]
        nms = oks_nms if self.nms_mode == 'oks_nms' else soft_oks_nms
        return np.asarray(nms(instances, self.nms_thr, sigmas=sigmas), dtype=int)

    def _videos(self) -> List[List[PoseTrack18Image]]:
        """The frames of each video of ``ann_file``, in order."""
        videos: Dict[str, List[PoseTrack18Image]] = defaultdict(list)
        for image in self.ground_truth.values():
            videos[image.sequence].append(image)
        return list(videos.values())

    def _link(self, frames: Dict[int, Dict[str, np.ndarray]]) -> Dict[int, np.ndarray]:
        """Track ids (P,) of each frame's instances: ``link_poses`` over each video."""
        sigmas = self._sigmas('tracking')
        track_ids = {}
        for video in self._videos():
            state = TrackState.empty(_NUM_KEYPOINTS)
            for index, image in enumerate(video):
                pred = frames.get(image.image_id)
                if pred is not None:
                    poses = np.concatenate([pred['keypoints'], pred['keypoint_scores'][..., None]],
                                           axis=-1)
                    track_ids[image.image_id], state = link_poses(
                        state, poses, pred['areas'], index, sigmas, self.track_oks_thr,
                        self.track_max_age)
        return track_ids

    def _write_results(self, frames: Dict[int, Dict[str, np.ndarray]],
                       track_ids: Dict[int, np.ndarray]) -> Path:
        """Write one PoseTrack18 submission json per video next to ``outfile_prefix``."""
        folder = Path(self.outfile_prefix).parent
        folder.mkdir(parents=True, exist_ok=True)
        for video in self._videos():
            images, annotations = [], []
            for image in video:
                images.append({'id': image.image_id, 'file_name': image.file_name})
                pred = frames.get(image.image_id)
                if pred is None:
                    continue
                ids = track_ids.get(image.image_id, np.arange(len(pred['scores'])))
                for track_id, kpts, kpt_scores, score in zip(
                        ids, pred['keypoints'], pred['keypoint_scores'], pred['scores']):
                    annotations.append(posetrack18_person(image.image_id, int(track_id), kpts,
                                                          kpt_scores, float(score)))
            atomic_write_text(folder / f'{video[0].sequence}.json',
                              json.dumps(posetrack18_json(images, annotations), indent=1))
        return folder

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Score all processed samples against the frames of ``ann_file``.

        Args:
            results: what :meth:`process` collected, from all ranks.

        Returns:
            AP per body-part group and ``'Total AP'``; with ``tracking`` also MOTA per group
            and the totals of MOTA, MOTP, precision and recall; in percent.
        """
        logger = MMLogger.get_current_instance()
        frames = self._frame_predictions(results)
        track_ids = self._link(frames) if self.tracking else {}
        if self.outfile_prefix is not None:
            logger.info(f'PoseTrack18 predictions written to '
                        f'{self._write_results(frames, track_ids)}')
        empty = {'keypoints': np.zeros((0, _NUM_KEYPOINTS, 2)),
                 'keypoint_scores': np.zeros((0, _NUM_KEYPOINTS))}
        videos = []
        for video in self._videos():
            video_frames = []
            for image in video:
                if len(image.keypoints):  # poseval scores only frames with ground-truth persons
                    pred = frames.get(image.image_id, empty)
                    video_frames.append(evaluation_frame(
                        image, pred['keypoints'], pred['keypoint_scores'],
                        pred_track_ids=track_ids.get(image.image_id, np.zeros(0, np.int64))))
            videos.append(video_frames)
        eval_frames = [frame for video in videos for frame in video]
        if not eval_frames:
            raise ValueError(f'{self.ann_file}: no image has ground-truth persons to evaluate')
        logger.info(f'Evaluating {type(self).__name__} on {len(eval_frames)} frames '
                    f'({len(frames)} with predictions)')
        summary = summarize_average_precision(joint_average_precision(eval_frames))
        if self.tracking:
            summary.update(summarize_tracking(posetrack_tracking(videos)))
        logger.info('PoseTrack18, poseval protocol:\n' + '\n'.join(
            f'{name}: {value:.1f}' for name, value in summary.items()))
        return summary
