"""Fixtures of the checkpoint tests."""
import pytest

from ..apis.helpers import tiny_pose_config, write_pose_files


@pytest.fixture(scope='session')
def tiny_files(tmp_path_factory):
    """(config file, checkpoint file) of the tiny test model with seeded random weights,
    written once for all checkpoint tests."""
    return write_pose_files(tiny_pose_config(), tmp_path_factory.mktemp('tiny'))
