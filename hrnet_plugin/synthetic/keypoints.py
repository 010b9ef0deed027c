"""COCO's 17 person keypoints as mmpose defines them: names, skeleton, left/right twins.

Everything here is read from mmpose's own dataset metainfo, by absolute path under mmpose's
installed ``.mim`` folder: mmpose's ``parse_pose_metainfo`` resolves a dataset's relative
``from_file`` against the current directory first, where a project's own config of the same name
(``configs/_base_/datasets/coco.py``) would be read instead.
"""
import os
from typing import Any, Dict, Sequence, Tuple

import mmpose
from mmpose.datasets import CocoDataset
from mmpose.datasets.datasets.utils import parse_pose_metainfo


def mmpose_metainfo(dataset: type) -> Dict[str, Any]:
    """mmpose's parsed metainfo of one of its dataset classes, from mmpose's installed configs.

    Args:
        dataset: An mmpose dataset class whose ``METAINFO`` names a metainfo file
            (``CocoDataset``, ``PoseTrack18Dataset``, ...).

    Returns:
        The dict of ``parse_pose_metainfo``: ``keypoint_id2name``, ``skeleton_links`` (0-based),
        ``flip_indices``, ``upper_body_ids``, ...

    Raises:
        FileNotFoundError: mmpose is installed without its ``.mim`` configs; names the path.
    """
    name = os.path.basename(dataset.METAINFO['from_file'])
    path = os.path.join(os.path.dirname(mmpose.__file__), '.mim', 'configs', '_base_', 'datasets',
                        name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'metainfo of mmpose {dataset.__name__} not found at {path} '
                                '(mmpose installed without its .mim configs?)')
    return parse_pose_metainfo({'from_file': path})


def mirrored(indices: Sequence[int]) -> Tuple[int, ...]:
    """The left/right twins of keypoint ``indices`` (the nose is its own twin)."""
    return tuple(FLIP_INDICES[index] for index in indices)


COCO_METAINFO = mmpose_metainfo(CocoDataset)
NUM_KEYPOINTS: int = COCO_METAINFO['num_keypoints']
KEYPOINT_NAMES = tuple(COCO_METAINFO['keypoint_id2name'][i] for i in range(NUM_KEYPOINTS))
# 1-based keypoint indices, as COCO's annotation files write the skeleton.
SKELETON = tuple((start + 1, end + 1) for start, end in COCO_METAINFO['skeleton_links'])
FLIP_INDICES: Tuple[int, ...] = tuple(COCO_METAINFO['flip_indices'])
UPPER_BODY: Tuple[int, ...] = tuple(COCO_METAINFO['upper_body_ids'])  # face and arms

_ID = COCO_METAINFO['keypoint_name2id']
NOSE = _ID['nose']
L_EYE, L_EAR = _ID['left_eye'], _ID['left_ear']
R_EYE, R_EAR = mirrored((L_EYE, L_EAR))
# (shoulder, elbow, wrist) and (hip, knee, ankle) of the person's left side, then of its right.
LEFT_ARM = (_ID['left_shoulder'], _ID['left_elbow'], _ID['left_wrist'])
LEFT_LEG = (_ID['left_hip'], _ID['left_knee'], _ID['left_ankle'])
ARMS = (LEFT_ARM, mirrored(LEFT_ARM))
LEGS = (LEFT_LEG, mirrored(LEFT_LEG))
L_SHOULDER = LEFT_ARM[0]
L_HIP, R_HIP = LEGS[0][0], LEGS[1][0]
