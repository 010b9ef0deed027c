"""Shared fixtures: repository paths and the sample data beside the repository."""
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_ROOT = REPO_ROOT.parent / 'shared' / 'data'


@pytest.fixture(scope='session')
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope='session')
def data_root() -> Path:
    if not DATA_ROOT.is_dir():
        raise FileNotFoundError(f'sample data not found at {DATA_ROOT} (expected ../shared/data '
                                'beside the repository)')
    return DATA_ROOT


@pytest.fixture(autouse=True)
def mmpose_default_scope():
    """Start every test in mmpose's default scope, as mmpose's tools and our configs set it.

    A Runner built without ``default_scope`` makes 'mmengine' the current scope for the rest of
    the process, and mmpose's registries then fail to find their own types.
    """
    from mmengine.registry import init_default_scope

    init_default_scope('mmpose')
