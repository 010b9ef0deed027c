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
