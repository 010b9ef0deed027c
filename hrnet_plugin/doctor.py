"""``python -m hrnet_plugin doctor``: check the installed stack and say how to fix problems."""
import importlib
import importlib.metadata as metadata
import os
import platform
import tempfile
from pathlib import Path
from typing import Callable, List, NamedTuple, Optional

SETUP_HINT = 'run `make setup` in the repository (it rebuilds .venv/ with the pinned stack)'

# Distribution name -> the version README and tools/setup_env.sh pin.
PINNED = {
    'torch': '2.14.1', 'torchvision': '0.29.1', 'mmengine': '0.10.7', 'mmcv': '2.1.0',
    'mmdet': '3.3.0', 'mmpose': '1.3.2', 'xtcocotools': '1.14.3', 'openmim': '0.3.9',
    'numpy': None, 'onnxruntime': None, 'setuptools': None,
}


class Check(NamedTuple):
    name: str
    ok: bool
    detail: str
    fix: Optional[str] = None


def _version(dist: str) -> Optional[str]:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_versions() -> List[Check]:
    checks = []
    for dist, pinned in PINNED.items():
        found = _version(dist)
        if found is None:
            checks.append(Check(dist, False, 'not installed', SETUP_HINT))
            continue
        base = found.split('+')[0]
        ok = pinned is None or base == pinned
        checks.append(Check(dist, ok, found, None if ok else f'pinned {pinned}: {SETUP_HINT}'))
    numpy_version = _version('numpy') or '0'
    if not numpy_version.startswith('2.'):
        checks.append(Check('numpy 2', False, numpy_version, 'install numpy>=2,<3'))
    setuptools_version = _version('setuptools') or '0'
    if int(setuptools_version.split('.')[0]) >= 81:
        checks.append(Check('setuptools < 81', False, setuptools_version,
                            "mmengine imports pkg_resources: pip install 'setuptools<81'"))
    return checks


def _run(name: str, func: Callable[[], str], fix: str) -> Check:
    try:
        return Check(name, True, func())
    except Exception as error:  # noqa: BLE001  (every failure is reported, none is fatal here)
        return Check(name, False, f'{type(error).__name__}: {error}'.splitlines()[0][:200], fix)


def _mmcv_ops() -> str:
    import torch
    from mmcv.ops import nms

    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]])
    keep = nms(boxes, torch.tensor([0.9, 0.8, 0.7]), 0.5)[1]
    if keep.tolist() != [0, 2]:
        raise RuntimeError(f'mmcv.ops.nms returned {keep.tolist()}, expected [0, 2]')
    return 'compiled ops load and run (nms)'


def _xtcocotools() -> str:
    import numpy as np
    from xtcocotools import mask

    rle = mask.encode(np.asfortranarray(np.ones((4, 4), dtype=np.uint8)))
    return f'C extension works with numpy {np.__version__} (area {int(mask.area(rle))})'


def _checkpoint_roundtrip() -> str:
    import numpy as np
    import torch
    from mmengine.logging import HistoryBuffer
    from mmengine.runner.checkpoint import _load_checkpoint

    import hrnet_plugin  # noqa: F401  (installs the allowlist)

    buffer = HistoryBuffer()
    buffer.update(0.5)
    ckpt = dict(meta=dict(dataset_meta=dict(sigmas=np.ones(3, dtype=np.float32)),
                          seed=np.int64(1)),
                state_dict={'w': torch.ones(2)},
                message_hub=dict(log_scalars={'loss': buffer}))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'ckpt.pth')
        torch.save(ckpt, path)
        loaded = _load_checkpoint(path, map_location='cpu')
    if not torch.equal(loaded['state_dict']['w'], ckpt['state_dict']['w']):
        raise RuntimeError('round trip changed the weights')
    return 'mmengine checkpoint round trip with weights_only=True'


def _registry() -> str:
    from mmpose.registry import KEYPOINT_CODECS, MODELS

    import hrnet_plugin  # noqa: F401

    names = ['hrnet_plugin.HRNet', 'hrnet_plugin.HeatmapHead', 'HRNet']
    missing = [n for n in names if MODELS.get(n) is None]
    missing += [n for n in ('hrnet_plugin.MSRAHeatmap', 'hrnet_plugin.UDPHeatmap')
                if KEYPOINT_CODECS.get(n) is None]
    if missing:
        raise RuntimeError(f'not resolvable through mmpose registries: {missing}')
    if MODELS.get('hrnet_plugin.HRNet') is MODELS.get('HRNet'):
        raise RuntimeError("hrnet_plugin.HRNet shadows mmpose's HRNet")
    return 'hrnet_plugin.* resolve through mmpose registries; mmpose HRNet still available'


def _mim_files() -> str:
    import hrnet_plugin

    mim = Path(hrnet_plugin.__file__).parent / '.mim'
    needed = [mim / 'tools' / 'train.py', mim / 'tools' / 'test.py', mim / 'configs']
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise RuntimeError(f'missing {missing}')
    return f'mim tools/configs shipped in {mim}'


def _imports() -> str:
    for module in ('mmdet.apis', 'mmpose.apis', 'mmpose.models', 'mmpose.datasets'):
        importlib.import_module(module)
    return 'mmdet.apis, mmpose.apis/models/datasets import'


def check_runtime() -> List[Check]:
    return [
        _run('mmcv ops', _mmcv_ops, 'mmcv must be the full build with ops (not mmcv-lite) '
             f'compiled against this torch: {SETUP_HINT}'),
        _run('xtcocotools', _xtcocotools, 'rebuild from source against numpy 2: pip install '
             '--no-binary xtcocotools --no-build-isolation xtcocotools==1.14.3'),
        _run('checkpoint loading', _checkpoint_roundtrip,
             'import hrnet_plugin before loading (configs do via custom_imports)'),
        _run('imports', _imports, SETUP_HINT),
        _run('registries', _registry, 'reinstall the plugin: pip install --no-deps .'),
        _run('mim files', _mim_files,
             'install non-editable so .mim/ ships: pip install --no-deps .'),
    ]


def hardware() -> List[str]:
    import torch

    lines = [f'python {platform.python_version()} on {platform.platform()}',
             f'cpu: {os.cpu_count()} cores, torch threads {torch.get_num_threads()}, '
             f'ISA {torch.backends.cpu.get_cpu_capability()}']
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            lines.append(f'gpu {i}: {props.name}, {props.total_memory / 2**30:.0f} GiB, '
                         f'CUDA {torch.version.cuda}')
    else:
        lines.append('gpu: none (CPU only; mmcv ops built for CPU)')
    return lines


def main() -> int:
    checks = check_versions() + check_runtime()
    width = max(len(c.name) for c in checks)
    for line in hardware():
        print(line)
    for check in checks:
        print(f"{'ok ' if check.ok else 'BAD'} {check.name:<{width}}  {check.detail}")
        if not check.ok:
            print(f"    fix: {check.fix}")
    broken = [c.name for c in checks if not c.ok]
    print('all checks passed' if not broken else f'{len(broken)} problem(s): {", ".join(broken)}')
    return 1 if broken else 0
