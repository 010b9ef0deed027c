"""Reduced end-to-end runs: tiny configs that inherit the real ones, and the commands that run
them as a user would (subprocesses from the repository root with the venv's executables).

A tiny config keeps everything of its real config except the sizes: the test architecture
(8-64 channels, one block per branch), 64x64 inputs with 16x16 heatmaps (HRNet's four branches
need sides divisible by 32), batches of 2-4 without worker processes, and the sample data.
"""
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from hrnet_plugin.datasets import write_mpii_headbox_mat

from ..configs.samples import CONFIGS, POSETRACK18_ANNOTATIONS, SAMPLE_SETTINGS, SAMPLES
from ..models.hrnet_archs import TINY_EXTRA

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CODEC = {'type': 'hrnet_plugin.MSRAHeatmap', 'input_size': (64, 64), 'heatmap_size': (16, 16),
         'sigma': 2}
TRAIN_SAMPLES = 4  # persons per training epoch: 2 iterations of batch 2

TINY_CONFIG = """\
_base_ = [{base!r}]
codec = {codec!r}
model = dict(backbone=dict(extra={extra!r}, init_cfg=None),
             head=dict(in_channels={channels}, decoder=codec))
load_from = None
randomness = dict(seed=0)
# The keypoint metadata the dataset base inherits for mmpose's lookup; the datasets read their
# own copy, and leaving it out of the printed and saved config saves seconds per run.
dataset_info = None
train_cfg = dict(max_epochs={epochs}, val_interval={epochs})  # validate once, at the end
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(
    {train!r}, pipeline=[
        *_base_.train_before_crop,
        dict(type='TopdownAffine', input_size=codec['input_size']),
        dict(type='GenerateTarget', encoder=codec),
        dict(type='PackPoseInputs')]))
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False, dataset=dict(
    {val!r}, pipeline=[
        *_base_.val_before_crop,
        dict(type='TopdownAffine', input_size=codec['input_size']),
        dict(type='PackPoseInputs')]))
test_dataloader = val_dataloader
val_evaluator = {evaluator!r}
test_evaluator = val_evaluator
"""


def mpii_headboxes(path: Path) -> Path:
    """Head boxes for the MPII sample: squares centred between upper neck (joint 8) and head top
    (joint 9), of side 1.1x their distance (the sample ships no ``mpii_gt_val.mat``)."""
    joints = np.array([ann['joints'] for ann in json.loads(
        (SAMPLES / 'mpii' / 'test_mpii.json').read_text())])
    centre = (joints[:, 8] + joints[:, 9]) / 2
    half = 0.55 * np.linalg.norm(joints[:, 9] - joints[:, 8], axis=-1)[:, None]
    return write_mpii_headbox_mat(path, np.stack([centre - half, centre + half], axis=1))


def write_tiny_config(out_dir: Path, dataset: str, epochs: int = 1,
                      evaluator: Optional[dict] = None, val: Optional[dict] = None,
                      extra: str = '') -> Path:
    """Write the tiny version of ``dataset``'s W32 config into ``out_dir``.

    Args:
        out_dir: where the config (and the MPII head boxes) go.
        dataset: 'coco', 'mpii' or 'posetrack18'.
        epochs: training epochs.
        evaluator: fields merged into val_evaluator/test_evaluator (the dataset's own paths
            are set here).
        val: fields merged into the validation dataset settings.
        extra: config text appended at the end.

    Returns:
        The config path.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {**SAMPLE_SETTINGS[dataset], 'data_prefix': {'img': ''}}
    val_settings = {**paths, **(val or {})}
    evaluator = dict(evaluator or {})
    if dataset == 'mpii':
        val_settings['headbox_file'] = str(mpii_headboxes(out_dir / 'headboxes.mat'))
    if dataset == 'posetrack18':
        evaluator['ann_file'] = str(POSETRACK18_ANNOTATIONS)
    text = TINY_CONFIG.format(
        base=str(CONFIGS[dataset]), codec=CODEC, extra=TINY_EXTRA,
        channels=TINY_EXTRA['stage2']['num_channels'][0], epochs=epochs,
        train={**paths, 'indices': TRAIN_SAMPLES}, val=val_settings, evaluator=evaluator)
    path = out_dir / f'tiny_{dataset}.py'
    path.write_text(text + extra)
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
