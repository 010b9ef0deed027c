"""Fixtures of the deployment tests: a model trained at test time, and a cache folder of the
session for the exports (the user's cache is never written)."""
from typing import Iterator

import pytest

from hrnet_plugin.utils import HOME_VARIABLE

from .trained_pose import TrainedPose, train_tiny_pose


@pytest.fixture(scope='session')
def trained_pose(tmp_path_factory) -> TrainedPose:
    """Shared with tests/tools/test_benchmark.py through the session's base folder."""
    return train_tiny_pose(tmp_path_factory.getbasetemp() / 'trained_pose')


@pytest.fixture(scope='session', autouse=True)
def session_export_cache(tmp_path_factory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_VARIABLE, str(tmp_path_factory.getbasetemp() / 'plugin_home'))
        yield
