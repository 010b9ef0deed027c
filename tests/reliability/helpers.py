"""The command-line tools as a user runs them, in this process, and checks of what they print.

``tool(name).main(argv)`` runs a tool of tools/ on arguments and returns its exit status, as
its own process would exit; ``assert_refused`` checks the one-line error of a refused input.
"""
import functools
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import List, Tuple

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
    status = tool(name).main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return status, out, err


def write_json(path: Path, content) -> Path:
    path.write_text(json.dumps(content))
    return path
