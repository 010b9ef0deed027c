"""PoseTrack multi-person pose tracking metrics (MOTA, MOTP, precision, recall), as poseval
scores them.

The protocol of PoseTrack (Andriluka et al., CVPR 2018), implemented in poseval
(``evaluateTracking.py`` and the MOT part of ``eval_helpers.assignGTmulti``): every joint type
is tracked as its own set of point objects and scored with the CLEAR MOT metrics (Bernardin and
Stiefelhagen, 2008), computed here with ``motmetrics`` as poseval does. Frames, joints, ignore
regions and head sizes are those of the mAP (:mod:`.posetrack_map`):

1. Frames, per video: the evaluated frames of the mAP (ground truth with at least one person),
   in video order, except the last of them, which poseval leaves out of the tracking scores.
2. Persons: in a frame with ignore regions, a person (ground truth or prediction) left with no
   joint outside the regions is removed.
3. Empty frames: when no ground-truth or no predicted person remains, poseval scores the frame
   with one placeholder object and one placeholder hypothesis per joint type that cannot match,
   whatever the frame holds: one miss, one false positive and one object per joint type.
4. Other frames, per joint type: the objects are the ground-truth persons with that joint
   scored, the hypotheses the predicted persons with that joint present, identified by their
   ``track_id``; a pair can match when its distance in head sizes is at most 0.5, and costs that
   distance. ``motmetrics.MOTAccumulator`` (one per joint type and video) keeps last frame's
   correspondences that can still match, assigns the others optimally (Hungarian), and counts a
   switch when an object's hypothesis changes.
5. Per joint type, over all videos: with misses ``FN``, switches ``IDSW``, false positives
   ``FP``, objects ``GT`` and detections ``D = matches + switches``::

       MOTA = 100 * (1 - (FN + IDSW + FP) / GT)     (nan without objects)
       Precision = 100 * D / (D + FP)              (nan without detections and FP)
       Recall = 100 * D / GT                       (nan without objects)
       MOTP = 100 * (1 - mean distance, in head sizes, of the matched pairs)  (0 if D = 0)

6. Totals: the mean over the joint types whose value is not nan; body-part groups as for AP.

MOTP differs from poseval's number. poseval sums column ``D`` of ``MOTAccumulator.events``,
which since motmetrics 1.2 also holds a ``RAW`` row for every candidate pair (every pair within
the threshold, matched or not), so its ``100 * (1 - sum / D)`` is not the mean over matches
and can be negative. The MOTP here is the textbook one (motmetrics' ``motp``: the mean distance
over matched pairs), on poseval's scale (100 = every match exact). MOTA, precision and recall
do not use distances and equal poseval's.

Where poseval fails instead of scoring: a video with a single evaluated frame (it indexes the
empty list left after dropping the last frame) contributes nothing here.

Shape legend:
    P: predicted persons in a frame.
    G: ground-truth persons in a frame.
    J: evaluated joint types (15 for PoseTrack18).
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import motmetrics as mm
import numpy as np

from .posetrack_map import (
    PCKH_THRESHOLD,
    POSETRACK18_EVAL_KEYPOINTS,
    PoseTrackFrame,
    head_sizes,
    nanmean,
    normalized_distances,
    scored_joints,
    summarize_by_group,
)

#: Per-joint counts of :func:`tracking_counts`, in column order.
MOT_COUNTS: Tuple[str, ...] = ('misses', 'switches', 'false_positives', 'objects', 'detections',
                               'matched_distance')
#: motmetrics' names of the counts (the distance sum is motp x detections).
_MM_COUNTS = ('num_misses', 'num_switches', 'num_false_positives', 'num_objects',
              'num_detections')

#: One joint type of one frame for ``MOTAccumulator.update``: object ids (n,), hypothesis ids
#: (m,) and the (n, m) distances, nan for pairs that cannot match.
JointEvents = Tuple[np.ndarray, np.ndarray, np.ndarray]


def frame_joint_events(frame: PoseTrackFrame,
                       threshold: float = PCKH_THRESHOLD) -> Optional[List[JointEvents]]:
    """What each joint type of a frame contributes to tracking (steps 2-4 of the protocol).

    Args:
        frame: a frame with ``gt_track_ids`` and ``pred_track_ids``.
        threshold: largest matching distance in head sizes.

    Returns:
        One ``(object ids, hypothesis ids, distances)`` per joint type, or None for an empty
        frame (step 3).
    """
    if frame.gt_track_ids is None or frame.pred_track_ids is None:
        raise ValueError('tracking metrics need gt_track_ids and pred_track_ids in every frame')
    gt_present, pred_present = scored_joints(frame)
    if len(frame.ignore_regions):
        # poseval drops persons left without points, but only in frames with ignore regions.
        num_gt, num_pred = gt_present.any(1).sum(), pred_present.any(1).sum()
    else:
        num_gt, num_pred = len(gt_present), len(pred_present)
    if num_gt == 0 or num_pred == 0:
        return None
    gt_ids = np.asarray(frame.gt_track_ids).reshape(-1)
    pred_ids = np.asarray(frame.pred_track_ids).reshape(-1)
    dist = normalized_distances(frame.pred_keypoints, frame.gt_keypoints,
                                head_sizes(frame.gt_head_boxes))  # (P, G, J)
    events = []
    for joint in range(gt_present.shape[1]):
        gt_index = np.flatnonzero(gt_present[:, joint])
        pred_index = np.flatnonzero(pred_present[:, joint])
        pairs = dist[np.ix_(pred_index, gt_index)][..., joint].T  # (n, m)
        events.append((gt_ids[gt_index], pred_ids[pred_index],
                       np.where(pairs <= threshold, pairs, np.nan)))
    return events


def tracking_counts(video: Sequence[PoseTrackFrame],
                    threshold: float = PCKH_THRESHOLD) -> np.ndarray:
    """CLEAR MOT counts of one video, per joint type (steps 1-4 of the protocol).

    Args:
        video: the evaluated frames of one video, in order (the last one is left out here).
        threshold: largest matching distance in head sizes.

    Returns:
        (J, 6) float64 counts, columns :data:`MOT_COUNTS`: misses, switches, false positives,
        objects, detections (matches + switches) and the summed distance of the detections.
    """
    frames = list(video)
    num_joints = np.shape(frames[0].gt_annotated)[-1] if frames else len(
        POSETRACK18_EVAL_KEYPOINTS)
    frames = frames[:-1]
    accumulators = [mm.MOTAccumulator(auto_id=True) for _ in range(num_joints)]
    empty_frames = 0
    for frame in frames:
        events = frame_joint_events(frame, threshold)
        if events is None:
            empty_frames += 1
            continue
        for accumulator, (objects, hypotheses, distances) in zip(accumulators, events,
                                                                  strict=True):
            accumulator.update(objects, hypotheses, distances)
    counts = np.zeros((num_joints, len(MOT_COUNTS)))
    host = mm.metrics.create()
    for joint, accumulator in enumerate(accumulators):
        if not accumulator.events.empty:
            values = host.compute(accumulator, metrics=[*_MM_COUNTS, 'motp'],
                                  return_dataframe=False)
            detections = values['num_detections']
            counts[joint] = [*(values[name] for name in _MM_COUNTS),
                             values['motp'] * detections if detections else 0.0]
    # Each empty frame: the placeholder object is missed and the placeholder hypothesis is a
    # false positive, for every joint type.
    counts[:, [MOT_COUNTS.index(name) for name in ('misses', 'false_positives', 'objects')]] \
        += empty_frames
    return counts


def mot_metrics(counts: np.ndarray) -> Dict[str, np.ndarray]:
    """MOTA, MOTP, precision and recall per joint type from summed counts (step 5).

    Args:
        counts: (J, 6) :func:`tracking_counts`, summed over videos.

    Returns:
        ``{'MOTA', 'MOTP', 'Precision', 'Recall'}``, each (J,) in percent.
    """
    misses, switches, false_positives, objects, detections, distance = np.asarray(
        counts, dtype=np.float64).T
    with np.errstate(divide='ignore', invalid='ignore'):
        objects = np.where(objects > 0, objects, np.nan)
        found = np.where(detections + false_positives > 0, detections + false_positives, np.nan)
        return {
            'MOTA': 100 * (1 - (misses + switches + false_positives) / objects),
            'MOTP': np.where(detections > 0, 100 * (1 - distance / detections), 0.0),
            'Precision': 100 * detections / found,
            'Recall': 100 * detections / objects,
        }


def posetrack_tracking(videos: Iterable[Sequence[PoseTrackFrame]],
                       threshold: float = PCKH_THRESHOLD) -> Dict[str, np.ndarray]:
    """PoseTrack's tracking metrics of whole videos, per joint type (the module protocol).

    Args:
        videos: per video, its evaluated frames in order (ground truth with at least one
            person), with ``gt_track_ids`` and ``pred_track_ids``.
        threshold: largest matching distance in head sizes.

    Returns:
        ``{'MOTA', 'MOTP', 'Precision', 'Recall'}`` (each (J,) in percent) and ``'counts'``
        ((J, 6), columns :data:`MOT_COUNTS`).
    """
    counts = None
    for video in videos:
        video_counts = tracking_counts(video, threshold)
        counts = video_counts if counts is None else counts + video_counts
    if counts is None:
        raise ValueError('posetrack_tracking needs at least one video')
    return {**mot_metrics(counts), 'counts': counts}


def summarize_tracking(metrics: Dict[str, np.ndarray],
                       joint_names: Sequence[str] = POSETRACK18_EVAL_KEYPOINTS
                       ) -> Dict[str, float]:
    """poseval's MOT table: MOTA per body-part group and in total, and the total MOTP,
    precision and recall (means over the joint types that are not nan), in percent.

    Returns:
        ``{'Head MOTA', ..., 'Ankl MOTA', 'Total MOTA', 'Total MOTP', 'Total Precision',
        'Total Recall'}``.
    """
    summary = summarize_by_group(metrics['MOTA'], 'MOTA', joint_names)
    for name in ('MOTP', 'Precision', 'Recall'):
        summary[f'Total {name}'] = nanmean(metrics[name])
    return summary
