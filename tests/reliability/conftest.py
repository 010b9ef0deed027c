"""Fixtures of the bad-input and fault tests: a tiny pose model saved as a user's files."""
import resource
import signal
from pathlib import Path
from typing import List

import pytest

from ..apis.helpers import tiny_pose_config, write_pose_files


@pytest.fixture(scope='package')
def pose_files(tmp_path_factory) -> List[str]:
    """[config, checkpoint] of the tiny HRNet with seeded random weights (COCO keypoints)."""
    folder: Path = tmp_path_factory.mktemp('pose')
    return [str(path) for path in write_pose_files(tiny_pose_config(), folder)]


@pytest.fixture
def file_size_limit():
    """A function that sets this process's file-size limit (RLIMIT_FSIZE; SIGXFSZ ignored, so
    writes past it fail with EFBIG) until the test ends. Only the code under test writes files
    meanwhile: pytest's output is captured in memory."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def limit(size: int) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, limits[1]))
    yield limit
    resource.setrlimit(resource.RLIMIT_FSIZE, limits)
    signal.signal(signal.SIGXFSZ, handler)


@pytest.fixture(scope='package', autouse=True)
def one_torch_thread():
    """One torch thread for the models these tests run in-process, as the tools' subprocesses
    get (OMP_NUM_THREADS=1): results do not depend on the thread count, and on a loaded 2-core
    machine two threads ran the tiny model 80 times slower."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
