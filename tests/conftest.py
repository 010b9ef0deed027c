"""Shared fixtures: repository paths and the sample data beside the repository; the Hypothesis
profiles of the property tests."""
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_ROOT = REPO_ROOT.parent / 'shared' / 'data'

# Property tests: 200 examples each, derandomized (the same examples on every run, so CI is
# deterministic); HYPOTHESIS_PROFILE=nightly draws 5,000 fresh examples per property.
settings.register_profile('default', max_examples=200, derandomize=True, deadline=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile('nightly', max_examples=5000, derandomize=False, deadline=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'default'))


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
