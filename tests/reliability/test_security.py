"""Every load in the package and the tools that could run code from a file goes through a
safe path: ``torch.load(..., weights_only=True)``, no pickle, no unsafe yaml, no numpy object
arrays. mmengine's own ``torch.load`` calls (checkpoints) rely on torch's weights-only default
(torch >= 2.6), which a test of the allowlist checks (tests/utils/test_safe_checkpoint.py)."""
import ast
from pathlib import Path
from typing import Iterator, List

import pytest
import torch

from ..conftest import REPO_ROOT


def _name(node: ast.AST) -> str:
    """``a.b.c`` of an attribute chain or a name ('' for anything else)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f'{_name(node.value)}.{node.attr}'
    return ''


def _keyword(call: ast.Call, name: str):
    found = [k.value for k in call.keywords if k.arg == name]
    return found[0] if found else None


def unsafe_loads(source: str) -> List[str]:
    """The unsafe loading calls of Python ``source``, as 'line: call'."""
    problems = []
    for call in _calls_of(source):
        name = _name(call.func)
        short = name.rsplit('.', 1)[-1]
        weights_only = _keyword(call, 'weights_only')
        if name == 'torch.load' and not (isinstance(weights_only, ast.Constant)
                                         and weights_only.value is True):
            problems.append(f'{call.lineno}: torch.load without weights_only=True')
        elif name.startswith(('pickle.', 'cPickle.', 'dill.', 'joblib.')) and short.startswith(
                ('load', 'Unpickler')):
            problems.append(f'{call.lineno}: {name}')
        elif name in ('yaml.unsafe_load', 'yaml.full_load', 'yaml.load_all') or (
                name == 'yaml.load' and 'Safe' not in _name(_keyword(call, 'Loader') or
                                                            ast.Name(''))):
            problems.append(f'{call.lineno}: {name} without SafeLoader')
        elif short == 'load' and isinstance(_keyword(call, 'allow_pickle'), ast.Constant) and \
                _keyword(call, 'allow_pickle').value:
            problems.append(f'{call.lineno}: {name} with allow_pickle=True')
        elif name in ('mmengine.load', 'mmengine.fileio.load', 'mmcv.load'):
            problems.append(f'{call.lineno}: {name} (unpickles .pkl files)')
    return problems


def _calls_of(source: str) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            yield node


@pytest.mark.parametrize('source, found', [
    ('torch.load(f)', 'torch.load without weights_only=True'),
    ('torch.load(f, weights_only=False)', 'torch.load without weights_only=True'),
    ('pickle.loads(b)', 'pickle.loads'),
    ('yaml.load(s)', 'yaml.load without SafeLoader'),
    ('yaml.load(s, Loader=yaml.FullLoader)', 'yaml.load without SafeLoader'),
    ('np.load(f, allow_pickle=True)', 'np.load with allow_pickle=True'),
    ('mmengine.load("x.pkl")', 'mmengine.load'),
])
def test_the_checker_finds_unsafe_loads(source, found):
    problems = unsafe_loads(source)
    assert len(problems) == 1 and found in problems[0]


@pytest.mark.parametrize('source', ['torch.load(f, map_location="cpu", weights_only=True)',
                                    'yaml.load(s, Loader=yaml.SafeLoader)', 'json.load(f)',
                                    'np.load(f)'])
def test_the_checker_passes_safe_loads(source):
    assert unsafe_loads(source) == []


def test_package_and_tools_load_nothing_unsafely():
    files = sorted([*(REPO_ROOT / 'hrnet_plugin').rglob('*.py'),
                    *(REPO_ROOT / 'tools').glob('*.py')])
    files = [path for path in files if '.mim' not in path.parts]
    assert len(files) > 50
    problems = [f'{path.relative_to(REPO_ROOT)}:{problem}' for path in files
                for problem in unsafe_loads(path.read_text())]
    assert problems == []


def test_torch_loads_weights_only_by_default(tmp_path):
    """mmengine calls torch.load without weights_only: safe only while torch's default is
    True (torch >= 2.6): a pickled object of an unknown class is refused."""
    path = tmp_path / 'evil.pth'
    torch.save({'object': Path('.')}, path)
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path)
