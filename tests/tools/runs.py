"""Reduced end-to-end runs: tiny configs that inherit the real ones, and the commands that run
them as a user would (subprocesses from the repository root with the venv's executables).

A tiny config keeps everything of its real config except the sizes: the test architecture
(8-64 channels, one block per branch), batches of 2-4 without worker processes and the sample
data (``tests/configs/samples.py``), and 64x64 inputs with 16x16 heatmaps (HRNet's four branches
need sides divisible by 32), the pipelines and the head following the smaller codec through
``codec_settings`` as in a leaf config.
"""
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

from ..configs.samples import CONFIGS, TRAIN_SAMPLES, write_sample_run_config

__all__ = ['REPO_ROOT', 'TRAIN_SAMPLES', 'run', 'write_tiny_config']

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CODEC = {'type': 'hrnet_plugin.MSRAHeatmap', 'input_size': (64, 64), 'heatmap_size': (16, 16),
         'sigma': 2}

TINY_CONFIG = """\
_base_ = [{base!r}]
from hrnet_plugin.datasets import codec_settings  # noqa: E402

codec = {codec!r}
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
"""


def write_tiny_config(out_dir: Path, dataset: str, epochs: int = 1,
                      evaluator: Optional[dict] = None, val: Optional[dict] = None,
                      extra: str = '') -> Path:
    """Write the tiny version of ``dataset``'s W32 config into ``out_dir``.

    Args:
        out_dir: where the config (and the sample-run config it inherits) go.
        dataset: 'coco', 'mpii' or 'posetrack18'.
        epochs: training epochs.
        evaluator: fields merged into val_evaluator/test_evaluator (the dataset's own paths
            are set here).
        val: fields merged into the validation dataset settings.
        extra: config text appended at the end.

    Returns:
        The config path.
    """
    base = write_sample_run_config(CONFIGS[dataset], out_dir, epochs=epochs, evaluator=evaluator,
                                   val=val)
    path = out_dir / f'tiny_{dataset}.py'
    path.write_text(TINY_CONFIG.format(base=str(base), codec=CODEC) + extra)
    return path


def run(args: List[str], env: Optional[Dict[str, str]] = None,
        timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a command from the repository root with the venv's executables first on PATH; fail
    the test with the end of its output if it fails.

    ``PYTHONPATH`` holds the repository (as tools/dist_*.sh set it) so that the tools import
    the working tree's plugin; mim is given ``PYTHONPATH=''`` to run the installed copy.
    """
    full_env = {**os.environ, 'PATH': f'{VENV_BIN}{os.pathsep}{os.environ.get("PATH", "")}',
                'PYTHONPATH': str(REPO_ROOT), 'OMP_NUM_THREADS': '1', **(env or {})}
    result = subprocess.run(args, cwd=REPO_ROOT, env=full_env, capture_output=True, text=True,
                            timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f'{" ".join(map(str, args))} failed:\n{output[-5000:]}'
    return result
