"""MPII head boxes in the ``.mat`` layout that mmpose's ``MpiiDataset(headbox_file=...)`` reads.

PCKh (Andriluka et al., "2D Human Pose Estimation: New Benchmark and State of the Art Analysis",
CVPR 2014) normalises joint errors by the head size ``0.6 * ||(x2, y2) - (x1, y1)||`` of each
person's annotated head box. MPII ships those boxes in ``mpii_gt_val.mat`` as the variable
``headboxes_src`` of shape (2, 2, N): ``headboxes_src[:, :, n] = [[x1, y1], [x2, y2]]`` for the
n-th person, in the order of the annotation json. mmpose's ``MpiiDataset`` reads only that
variable (transposed to (N, 2, 2), box ``n`` paired with annotation ``n``); the other variables of
the original file (``dataset_joints``, ``jnt_missing``, ``pos_gt_src``, ...) are not used by it and
are not written here.

Shape legend:
    N: annotated persons, in annotation-file order.
"""
from pathlib import Path

import numpy as np
from scipy.io import loadmat, savemat
from scipy.io.matlab import MatReadError

from hrnet_plugin.utils import PathLike

#: Name of the variable holding the head boxes, as in MPII's ``mpii_gt_val.mat``.
HEADBOX_FIELD = 'headboxes_src'


def _validated_boxes(headboxes: np.ndarray, source: str) -> np.ndarray:
    """Return ``headboxes`` as float64 (N, 2, 2) or raise naming ``source`` and the field."""
    boxes = np.asarray(headboxes, dtype=np.float64)
    if boxes.ndim != 3 or boxes.shape[1:] != (2, 2) or len(boxes) == 0:
        raise ValueError(f'{source}: {HEADBOX_FIELD} must hold N >= 1 boxes [[x1, y1], [x2, y2]]'
                         f' (N, 2, 2 here), got shape {boxes.shape}')
    if not np.isfinite(boxes).all():
        raise ValueError(f'{source}: {HEADBOX_FIELD} has non-finite coordinates')
    return boxes


def write_mpii_headbox_mat(path: PathLike, headboxes: np.ndarray) -> Path:
    """Write head boxes as MPII's ``headboxes_src`` variable.

    Args:
        path: destination ``.mat`` file (mmpose checks the ``mat`` suffix).
        headboxes: (N, 2, 2) boxes ``[[x1, y1], [x2, y2]]``, one per annotated person in the
            order of the annotation json.

    Returns:
        The written path.

    Raises:
        ValueError: if the suffix is not ``.mat`` or the boxes are malformed.
    """
    path = Path(path)
    if path.suffix != '.mat':
        raise ValueError(f'{path}: head-box file must end in .mat (mmpose checks the suffix)')
    boxes = _validated_boxes(headboxes, str(path))
    # (N, 2, 2) -> (2, 2, N): person last, as MATLAB stores it and mmpose transposes back.
    savemat(path, {HEADBOX_FIELD: boxes.transpose(1, 2, 0)})
    return path


def read_mpii_headbox_mat(path: PathLike) -> np.ndarray:
    """Read the head boxes of an MPII-style ``.mat`` file.

    Args:
        path: a file holding ``headboxes_src`` of shape (2, 2, N).

    Returns:
        (N, 2, 2) float64 boxes ``[[x1, y1], [x2, y2]]``.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the file is not a readable ``.mat`` or ``headboxes_src`` is missing or
            malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{path}: head-box file does not exist')
    try:
        content = loadmat(path)
    # scipy reports malformed files in several ways (a short header surfaces as IndexError).
    except (MatReadError, ValueError, TypeError, IndexError, OSError) as error:
        raise ValueError(f'{path}: not a readable MATLAB .mat file ({error})') from error
    if HEADBOX_FIELD not in content:
        raise ValueError(f'{path}: variable {HEADBOX_FIELD!r} is missing')
    stored = np.asarray(content[HEADBOX_FIELD])
    if stored.ndim != 3 or stored.shape[:2] != (2, 2):
        raise ValueError(f'{path}: {HEADBOX_FIELD} must have shape (2, 2, N), got {stored.shape}')
    return _validated_boxes(stored.transpose(2, 0, 1), str(path))
