"""The command-line tools as a user runs them, in this process, and checks of what they print.

``tool(name).main(argv)`` runs a tool of tools/ on arguments and returns its exit status, as
its own process would exit; ``assert_refused`` checks the one-line error of a refused input.
"""
import functools
import importlib.util
import os
import resource
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import List, Sequence, Tuple

from mmengine.logging import MMLogger

from ..conftest import REPO_ROOT

#: The behaviours a catalogued case ends in (docs/reliability.md).
BEHAVIOURS = ('refused', 'skipped', 'processed', 'recovered')


@functools.cache
def tool(name: str) -> ModuleType:
    """``tools/<name>.py`` loaded as a module."""
    spec = importlib.util.spec_from_file_location(f'tool_{name}', REPO_ROOT / 'tools' /
                                                  f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_refused(status: int, stderr: str, prog: str, *needles: str) -> str:
    """Check a refused input: exit status 1, one error line ``<prog>: error: ...`` holding every
    needle (the file, the field or entry, the value), no traceback. Returns the line."""
    assert status == 1, stderr[-3000:]
    assert 'Traceback' not in stderr, stderr[-3000:]
    errors = [line for line in stderr.splitlines() if line.startswith(f'{prog}: error: ')]
    assert len(errors) == 1, stderr[-3000:]
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    return errors[0]


def run_cli(name: str, args: List[str], capsys) -> Tuple[int, str, str]:
    """Run ``tools/<name>.py`` on ``args``; returns (exit status, stdout, stderr)."""
    capsys.readouterr()
    loggers = set(MMLogger._instance_dict)
    try:
        status = tool(name).main([str(arg) for arg in args])
    finally:
        # As in a process of its own, the next run gets a new mmengine logger: the Runner names
        # its logger after the config and the time in seconds, and a run in the same second
        # would otherwise get this one back, its handlers writing to this test's closed
        # captured streams ("--- Logging error ---").
        for logger_name in set(MMLogger._instance_dict) - loggers:
            for handler in MMLogger._instance_dict.pop(logger_name).handlers:
                handler.close()
    out, err = capsys.readouterr()
    return status, out, err


# Runs a tool with the default action of SIGXFSZ: Python ignores the signal (a write past the
# file-size limit then fails with EFBIG), whereas the default ends the process in that write.
_KILLED_BY_SIZE_LIMIT = ('import runpy, signal, sys; signal.signal(signal.SIGXFSZ, '
                         'signal.SIG_DFL); sys.argv = sys.argv[1:]; '
                         'runpy.run_path(sys.argv[0], run_name="__main__")')


def start_tool(name: str, args: Sequence, log: Path, file_size: int = resource.RLIM_INFINITY,
               killed_by_size_limit: bool = False) -> subprocess.Popen:
    """Start ``tools/<name>.py`` on ``args`` in its own process (one torch thread, the working
    tree's plugin), its output appended to ``log``.

    Args:
        file_size: the process's file-size limit (RLIMIT_FSIZE), in bytes.
        killed_by_size_limit: a write past the limit kills the process (SIGXFSZ) instead of
            failing.
    """
    env = {**os.environ, 'PYTHONPATH': str(REPO_ROOT), 'OMP_NUM_THREADS': '1'}
    python = [sys.executable, '-c', _KILLED_BY_SIZE_LIMIT] if killed_by_size_limit else [
        sys.executable]
    with open(log, 'a') as output:
        return subprocess.Popen(
            [*python, f'tools/{name}.py', *map(str, args)], cwd=REPO_ROOT, env=env,
            stdout=output, stderr=subprocess.STDOUT,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size)))
