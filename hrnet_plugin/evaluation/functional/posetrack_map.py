"""PoseTrack multi-person pose estimation mAP, as scored by the benchmark's tool ``poseval``.

The protocol is the per-frame multi-person AP of Pishchulin et al. (DeepCut, CVPR 2016) and
Insafutdinov et al. (ArtTrack, CVPR 2017), used by PoseTrack (Andriluka et al., CVPR 2018) and
implemented in poseval (``evaluateAP.py`` / ``eval_helpers.py``). This module re-implements
that scoring so that PoseTrack18 can be evaluated without ``poseval`` (not on PyPI):

1. Frames: a frame is evaluated iff it has at least one ground-truth person; predictions on
   other frames are not scored at all.
2. Ignore regions: ground-truth and predicted joints strictly inside any ignore polygon of the
   frame are dropped (shapely ``contains``, boundary points are kept). Predicted joints that a
   result file stores as ``(0, 0, 0)`` are absent too (poseval's format conversion skips them).
3. Head size: ``0.6 * ||(x2, y2) - (x1, y1)||``, the diagonal of the annotated head box
   (``bbox_head`` ``[x, y, w, h]``, so the diagonal is ``hypot(w, h)``). A predicted joint is
   correct for a ground-truth person when ``distance / head_size <= 0.5``.
4. Matching, per frame: ``pck[p, g]`` = correct joints of prediction ``p`` on person ``g``
   divided by the number of annotated joints of ``g``. Each prediction keeps only its best
   person (first maximum); each person then takes, among the predictions that kept it, the one
   with the highest ``pck`` (first maximum); pairs with ``pck == 0`` stay unmatched. This is
   poseval's ``assignGTmulti``: a greedy two-step assignment, *not* the Hungarian algorithm
   (poseval only uses an optimal assignment for its tracking metric, MOTA).
5. Labels: every remaining predicted joint is one detection for its joint type, scored by its
   keypoint score. It is a true positive iff its prediction is matched and the joint is correct
   for the matched person; otherwise a false positive. The positives of a joint type are its
   remaining annotated ground-truth joints (poseval counts a PoseTrack18 joint as annotated
   unless it is stored as ``(0, 0, 0)``).
6. AP per joint type over all frames: detections sorted by descending score (poseval's
   ``computeRPC``), then VOC all-point interpolated AP (poseval's ``VOCap``)::

       recall_i = TP_i / num_positives,   precision_i = TP_i / i
       AP = sum_k (r_k - r_{k-1}) * max_{r >= r_k} precision(r)

   over the distinct recall levels ``r_k`` (``r_0 = 0``). A joint type without detections
   gets 0; one with detections but no positives gets ``nan`` (recall is undefined).
7. Summary (poseval's ``getCum``): each body-part group is the mean AP of its joints, ``Total``
   is the mean AP over the joint types whose AP is not ``nan``.

Differences from poseval, both in degenerate cases: detections with equal scores keep their
input order (poseval's sort leaves ties unspecified); ignore polygons with fewer than three
vertices are skipped (they contain no point; shapely refuses to build them, so poseval fails).

Shape legend:
    P: predicted persons in a frame.
    G: ground-truth persons in a frame.
    J: evaluated joint types (15 for PoseTrack18: its 17 COCO-order keypoints minus the ears).
    V: vertices of one ignore polygon.
    N: detections (predicted joints) of one joint type over the whole dataset.
"""
from dataclasses import dataclass
from typing import Dict, Iterable, Mapping, Optional, Sequence, Tuple

import numpy as np
import shapely

#: PoseTrack18 keypoints in its annotation (COCO) order; the ears are never annotated.
POSETRACK18_KEYPOINTS: Tuple[str, ...] = (
    'nose', 'head_bottom', 'head_top', 'left_ear', 'right_ear', 'left_shoulder',
    'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip',
    'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle')

#: The 15 joint types poseval scores, in annotation order.
POSETRACK18_EVAL_KEYPOINTS: Tuple[str, ...] = tuple(
    name for name in POSETRACK18_KEYPOINTS if not name.endswith('_ear'))

#: Indices of :data:`POSETRACK18_EVAL_KEYPOINTS` in :data:`POSETRACK18_KEYPOINTS`, shape (J,).
POSETRACK18_EVAL_INDICES: np.ndarray = np.array(
    [POSETRACK18_KEYPOINTS.index(name) for name in POSETRACK18_EVAL_KEYPOINTS])

#: Body-part groups of poseval's result table, in its column order.
POSETRACK_AP_GROUPS: Mapping[str, Tuple[str, ...]] = {
    'Head': ('nose', 'head_bottom', 'head_top'),
    'Shou': ('left_shoulder', 'right_shoulder'),
    'Elb': ('left_elbow', 'right_elbow'),
    'Wri': ('left_wrist', 'right_wrist'),
    'Hip': ('left_hip', 'right_hip'),
    'Knee': ('left_knee', 'right_knee'),
    'Ankl': ('left_ankle', 'right_ankle'),
}

#: PCKh threshold: correct when the distance is at most this fraction of the head size.
PCKH_THRESHOLD: float = 0.5
#: poseval's head size is this factor times the head-box diagonal.
HEAD_SIZE_FACTOR: float = 0.6


@dataclass(frozen=True)
class PoseTrackFrame:
    """Ground truth and predictions of one evaluated frame, restricted to the J scored joints.

    Attributes:
        gt_keypoints: (G, J, 2) annotated joint coordinates (x, y) in pixels.
        gt_annotated: (G, J) bool, True where the joint is annotated.
        gt_head_boxes: (G, 4) head boxes ``[x, y, w, h]``.
        pred_keypoints: (P, J, 2) predicted joint coordinates.
        pred_scores: (P, J) per-joint confidences, used to rank detections.
        ignore_regions: polygons, each (V, 2) vertices (x, y), whose interior is not scored.
        pred_present: (P, J) bool, False for predicted joints a result file leaves out (stored
            as ``(0, 0, 0)``); None: every predicted joint is present.
        gt_track_ids: (G,) int track ids of the persons (needed for tracking metrics only).
        pred_track_ids: (P,) int track ids of the predictions (tracking metrics only).
    """

    gt_keypoints: np.ndarray
    gt_annotated: np.ndarray
    gt_head_boxes: np.ndarray
    pred_keypoints: np.ndarray
    pred_scores: np.ndarray
    ignore_regions: Tuple[np.ndarray, ...] = ()
    pred_present: Optional[np.ndarray] = None
    gt_track_ids: Optional[np.ndarray] = None
    pred_track_ids: Optional[np.ndarray] = None


def head_sizes(head_boxes: np.ndarray) -> np.ndarray:
    """poseval's PCKh reference length: 0.6 times the diagonal of each head box.

    Args:
        head_boxes: (G, 4) boxes ``[x, y, w, h]``.

    Returns:
        (G,) head sizes in pixels.
    """
    head_boxes = np.asarray(head_boxes, dtype=np.float64).reshape(-1, 4)
    return HEAD_SIZE_FACTOR * np.hypot(head_boxes[:, 2], head_boxes[:, 3])


def points_in_polygons(points: np.ndarray, polygons: Sequence[np.ndarray]) -> np.ndarray:
    """Which points lie strictly inside any of the polygons (poseval's ignore-region test).

    Args:
        points: (..., 2) coordinates (x, y).
        polygons: each (V, 2) vertices (x, y); polygons with V < 3 have no interior and are
            skipped.

    Returns:
        (...) bool, True for points in the interior of at least one polygon.
    """
    points = np.asarray(points, dtype=np.float64)
    inside = np.zeros(points.shape[:-1], dtype=bool)
    for vertices in polygons:
        vertices = np.asarray(vertices, dtype=np.float64).reshape(-1, 2)
        if len(vertices) >= 3:
            inside |= shapely.contains_xy(shapely.Polygon(vertices), points[..., 0],
                                          points[..., 1])
    return inside


def scored_joints(frame: PoseTrackFrame) -> Tuple[np.ndarray, np.ndarray]:
    """The joints of a frame that take part in the scoring (step 2 of the module protocol).

    Returns:
        ``(gt_present, pred_present)``, (G, J) and (P, J) bool: annotated ground-truth joints
        and present predicted joints, both outside the frame's ignore regions.
    """
    gt_present = np.asarray(frame.gt_annotated, dtype=bool) & ~points_in_polygons(
        frame.gt_keypoints, frame.ignore_regions)
    pred_present = ~points_in_polygons(frame.pred_keypoints, frame.ignore_regions)
    if frame.pred_present is not None:
        pred_present &= np.asarray(frame.pred_present, dtype=bool)
    return gt_present, pred_present


def normalized_distances(pred_keypoints: np.ndarray, gt_keypoints: np.ndarray,
                         gt_head_sizes: np.ndarray) -> np.ndarray:
    """Distances between predicted and ground-truth joints in units of the person's head size.

    Args:
        pred_keypoints: (P, J, 2) predicted joints.
        gt_keypoints: (G, J, 2) ground-truth joints.
        gt_head_sizes: (G,) head sizes (:func:`head_sizes`).

    Returns:
        (P, G, J) float64; a zero head size gives inf or nan, which no threshold accepts.
    """
    with np.errstate(divide='ignore', invalid='ignore'):
        dist = np.linalg.norm(np.asarray(pred_keypoints, dtype=np.float64)[:, None]
                              - np.asarray(gt_keypoints, dtype=np.float64)[None], axis=-1)
        return dist / np.asarray(gt_head_sizes, dtype=np.float64)[None, :, None]


def match_frame(pred_keypoints: np.ndarray, pred_present: np.ndarray, gt_keypoints: np.ndarray,
                gt_present: np.ndarray, gt_head_sizes: np.ndarray,
                threshold: float = PCKH_THRESHOLD) -> np.ndarray:
    """Assign the predictions of one frame to its persons and label each predicted joint.

    Implements steps 4-5 of the module protocol (poseval's ``assignGTmulti``).

    Args:
        pred_keypoints: (P, J, 2) predicted joints.
        pred_present: (P, J) bool, predicted joints that take part (not in an ignore region).
        gt_keypoints: (G, J, 2) ground-truth joints.
        gt_present: (G, J) bool, annotated joints that take part.
        gt_head_sizes: (G,) PCKh reference lengths.
        threshold: fraction of the head size within which a joint is correct.

    Returns:
        (P, J) bool, True where the predicted joint is a true positive. Entries where
        ``pred_present`` is False are False and carry no meaning.
    """
    num_pred, num_joints = pred_present.shape
    if num_pred == 0 or len(gt_present) == 0:
        return np.zeros((num_pred, num_joints), dtype=bool)
    dist = normalized_distances(pred_keypoints, gt_keypoints, gt_head_sizes)
    correct = pred_present[:, None] & gt_present[None] & (dist <= threshold)
    # Fraction of each person's annotated joints that the prediction gets right, (P, G);
    # persons without annotated joints have no correct joints, so the denominator is moot.
    pck = correct.sum(-1) / np.maximum(gt_present.sum(-1), 1)[None]
    rows = np.arange(num_pred)
    best_gt = pck.argmax(1)
    kept = np.zeros_like(pck)
    kept[rows, best_gt] = pck[rows, best_gt]
    best_pred = kept.argmax(0)
    gt_matched = kept.max(0) > 0
    # A prediction is nonzero in one column only, so it wins at most one person.
    pred_to_gt = np.full(num_pred, -1)
    pred_to_gt[best_pred[gt_matched]] = np.flatnonzero(gt_matched)
    labels = np.zeros((num_pred, num_joints), dtype=bool)
    matched = np.flatnonzero(pred_to_gt >= 0)
    labels[matched] = correct[matched, pred_to_gt[matched]]
    return labels


def precision_recall(scores: np.ndarray, labels: np.ndarray,
                     num_positives: int) -> Tuple[np.ndarray, np.ndarray]:
    """Precision and recall after each detection in descending score order (``computeRPC``).

    Args:
        scores: (N,) detection confidences.
        labels: (N,) bool, True for true positives.
        num_positives: number of ground-truth positives, > 0.

    Returns:
        ``(precision, recall)``, each (N,), over the detections sorted by descending score
        (a stable sort: ties keep their input order).
    """
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind='stable')
    true_positives = np.cumsum(np.asarray(labels, dtype=bool)[order])
    precision = true_positives / np.arange(1, len(order) + 1)
    recall = true_positives / num_positives
    return precision, recall


def voc_average_precision(precision: np.ndarray, recall: np.ndarray) -> float:
    """VOC all-point interpolated AP (poseval's ``VOCap``).

    Args:
        precision: (N,) precision after each ranked detection.
        recall: (N,) recall after each ranked detection, non-decreasing.

    Returns:
        Area under the precision envelope, in [0, 1].
    """
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    # Envelope: the best precision reachable at this recall or any higher one.
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    steps = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[steps] - mrec[steps - 1]) * mpre[steps]))


def average_precision(scores: np.ndarray, labels: np.ndarray, num_positives: int) -> float:
    """AP of one joint type from its detections, in [0, 1].

    Args:
        scores: (N,) detection confidences.
        labels: (N,) bool, True for true positives.
        num_positives: number of ground-truth positives.

    Returns:
        The AP; 0 without detections, else ``nan`` without positives (recall is undefined),
        both as in poseval.
    """
    if len(scores) == 0:
        return 0.0
    if num_positives == 0:
        return float('nan')
    return voc_average_precision(*precision_recall(scores, labels, num_positives))


def joint_average_precision(frames: Iterable[PoseTrackFrame],
                            threshold: float = PCKH_THRESHOLD) -> np.ndarray:
    """Per-joint AP over all frames (steps 2-6 of the module protocol).

    Args:
        frames: the evaluated frames (those with at least one ground-truth person).
        threshold: PCKh threshold in head sizes.

    Returns:
        (J,) AP in percent; ``nan`` for joint types with detections but no positives.
    """
    scores, labels, joints, num_positives = [], [], [], None
    for frame in frames:
        gt_present, pred_present = scored_joints(frame)
        frame_labels = match_frame(
            np.asarray(frame.pred_keypoints, dtype=np.float64), pred_present,
            np.asarray(frame.gt_keypoints, dtype=np.float64), gt_present,
            head_sizes(frame.gt_head_boxes), threshold)
        scores.append(np.asarray(frame.pred_scores, dtype=np.float64)[pred_present])
        labels.append(frame_labels[pred_present])
        joints.append(np.nonzero(pred_present)[1])
        frame_positives = gt_present.sum(0)
        num_positives = frame_positives if num_positives is None else (
            num_positives + frame_positives)
    if num_positives is None:
        raise ValueError('joint_average_precision needs at least one frame')
    scores_all, labels_all, joints_all = (np.concatenate(x) for x in (scores, labels, joints))
    return 100.0 * np.array([
        average_precision(scores_all[joints_all == j], labels_all[joints_all == j],
                          int(num_positives[j])) for j in range(len(num_positives))])


def summarize_by_group(values: np.ndarray, name: str,
                       joint_names: Sequence[str] = POSETRACK18_EVAL_KEYPOINTS
                       ) -> Dict[str, float]:
    """poseval's result table (``getCum``): a per-joint value by body-part group and in total.

    Args:
        values: (J,) one value per joint type (AP, MOTA...), in percent.
        name: the value's name in the keys, e.g. ``'AP'``.
        joint_names: (J,) names of the joint types, covering :data:`POSETRACK_AP_GROUPS`.

    Returns:
        ``{'Head <name>', 'Shou <name>', 'Elb <name>', 'Wri <name>', 'Hip <name>',
        'Knee <name>', 'Ankl <name>', 'Total <name>'}``. A group is ``nan`` if one of its joints
        is; the total averages the joints that are not ``nan``.
    """
    values = np.asarray(values, dtype=np.float64)
    by_name = dict(zip(joint_names, values))
    summary = {f'{group} {name}': float(np.mean([by_name[joint] for joint in joints]))
               for group, joints in POSETRACK_AP_GROUPS.items()}
    summary[f'Total {name}'] = nanmean(values)
    return summary


def nanmean(values: np.ndarray) -> float:
    """Mean of the values that are not ``nan`` (``nan`` if none is), as poseval's totals."""
    values = np.asarray(values, dtype=np.float64)
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if len(defined) else float('nan')


def summarize_average_precision(
        joint_ap: np.ndarray,
        joint_names: Sequence[str] = POSETRACK18_EVAL_KEYPOINTS) -> Dict[str, float]:
    """poseval's AP table (step 7): :func:`summarize_by_group` of the per-joint AP.

    Returns:
        ``{'Head AP', 'Shou AP', 'Elb AP', 'Wri AP', 'Hip AP', 'Knee AP', 'Ankl AP',
        'Total AP'}`` in percent.
    """
    return summarize_by_group(joint_ap, 'AP', joint_names)
