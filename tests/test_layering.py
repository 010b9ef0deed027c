"""The package's layering: every import of a package module points down the layer table (or
stays inside its own subpackage), and ``import hrnet_plugin`` registers every component without
loading the optional subpackages."""
import ast
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from .conftest import REPO_ROOT

PACKAGE = REPO_ROOT / 'hrnet_plugin'
# Bottom to top. A module may import its own subpackage and any lower layer, nothing else.
LAYERS = (
    ('utils', 'registry'),
    ('models', 'codecs', 'datasets', 'evaluation', 'engine', 'synthetic'),
    ('checkpoint', ),
    ('deploy', ),
    ('apis', ),
    ('benchmark', ),
    ('quickstart', 'doctor'),
    ('__main__', '__init__'),
)
LAYER_OF = {name: level for level, names in enumerate(LAYERS) for name in names}


def _unit(module: Path, package: Path) -> str:
    """The layer unit of a module: its top-level subpackage, or its own name at the top."""
    return module.relative_to(package).with_suffix('').parts[0]


def _imported_units(module: Path, package: Path) -> Iterator[Tuple[int, Optional[str]]]:
    """(line, unit) of every import of the package in ``module`` (relative imports resolved;
    unit None for ``import hrnet_plugin`` itself)."""
    package_parts = module.relative_to(package.parent).with_suffix('').parts[:-1]
    for node in ast.walk(ast.parse(module.read_text(), str(module))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[:len(package_parts) - node.level + 1]
                target = [*base, *(node.module.split('.') if node.module else [])]
            else:
                target = (node.module or '').split('.')
            if target[0] == package.name:
                # `from hrnet_plugin import apis`: the imported names are the units.
                for unit in target[1:2] or [alias.name for alias in node.names]:
                    yield node.lineno, unit
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split('.')
                if parts[0] == package.name:
                    yield node.lineno, parts[1] if len(parts) > 1 else None


def layering_violations(package: Path) -> List[str]:
    """'file:line (unit) imports unit' for every import that does not point down ``LAYERS``."""
    wrong = []
    for module in sorted(p for p in package.rglob('*.py') if '.mim' not in p.parts):
        own = _unit(module, package)
        for line, unit in _imported_units(module, package):
            if unit is not None and unit != own and LAYER_OF[unit] >= LAYER_OF[own]:
                wrong.append(f'{module.relative_to(package.parent)}:{line} ({own}) imports {unit}')
    return wrong


def test_imports_point_down_the_layers():
    units = {_unit(p, PACKAGE) for p in PACKAGE.rglob('*.py') if '.mim' not in p.parts}
    assert units <= set(LAYER_OF), f'subpackages missing from LAYERS: {units - set(LAYER_OF)}'
    assert len(units) >= 12
    violations = layering_violations(PACKAGE)
    assert not violations, '\n'.join(violations)


def test_the_check_finds_upward_and_sideways_imports(tmp_path):
    package = tmp_path / 'hrnet_plugin'
    for folder, text in {'models': 'from ..apis import x\nimport hrnet_plugin.benchmark.run\n'
                                   'from hrnet_plugin.utils import y\nfrom . import z\n',
                         'datasets': 'from hrnet_plugin.evaluation import m\n',
                         'apis': 'from hrnet_plugin import models, deploy\nimport hrnet_plugin\n'
                         }.items():
        (package / folder).mkdir(parents=True)
        (package / folder / 'mod.py').write_text(text)
    assert layering_violations(package) == [
        'hrnet_plugin/datasets/mod.py:1 (datasets) imports evaluation',
        'hrnet_plugin/models/mod.py:1 (models) imports apis',
        'hrnet_plugin/models/mod.py:2 (models) imports benchmark',
    ]


def test_import_registers_everything_and_loads_no_optional_subpackage():
    script = """
import sys
import hrnet_plugin
from mmengine.registry import MODEL_WRAPPERS
from mmpose.registry import DATASETS, HOOKS, KEYPOINT_CODECS, METRICS, MODELS, TRANSFORMS
names = {
    MODELS: ['HRNet', 'HeatmapHead', 'TopdownPoseEstimator'],
    KEYPOINT_CODECS: ['MSRAHeatmap', 'UDPHeatmap'],
    DATASETS: ['ValidatedCocoDataset', 'ValidatedMpiiDataset', 'ValidatedPoseTrack18Dataset'],
    TRANSFORMS: ['LoadImageOrSkip'],
    METRICS: ['PoseTrack18Metric'],
    HOOKS: ['TimeBudgetHook', 'ProgressBarHook', 'StrictLoadHook'],
    MODEL_WRAPPERS: ['CPUDistributedDataParallel'],
}
for registry, types in names.items():
    for name in types:
        assert registry.get('hrnet_plugin.' + name) is not None, name
loaded = sorted(m for m in sys.modules if m.split('.')[:2][-1] in
                ('apis', 'synthetic', 'benchmark', 'deploy', 'quickstart'))
print(loaded)
"""
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            cwd=REPO_ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == '[]'
