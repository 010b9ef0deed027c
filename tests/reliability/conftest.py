"""Fixtures of the bad-input and fault tests: a tiny pose model saved as a user's files."""
from pathlib import Path
from typing import List

import pytest

from ..apis.helpers import tiny_pose_config, write_pose_files


@pytest.fixture(scope='package')
def pose_files(tmp_path_factory) -> List[str]:
    """[config, checkpoint] of the tiny HRNet with seeded random weights (COCO keypoints)."""
    folder: Path = tmp_path_factory.mktemp('pose')
    return [str(path) for path in write_pose_files(tiny_pose_config(), folder)]
