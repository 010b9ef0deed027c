"""Shared by the checkpoint tests: the repository's tools loaded as modules (their ``main``
runs in the test process, with the worktree's package)."""
import importlib.util
from types import ModuleType

from ..conftest import REPO_ROOT


def load_tool(name: str) -> ModuleType:
    """``tools/<name>.py`` as a module."""
    path = REPO_ROOT / 'tools' / f'{name}.py'
    spec = importlib.util.spec_from_file_location(f'{name}_tool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
