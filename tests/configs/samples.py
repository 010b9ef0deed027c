"""The configs pointed at the sample data beside the repository.

The samples (``../shared/data``, see its README) are mmpose's test fixtures: 4 COCO val images
with 14 persons, 5 MPII persons, 3 PoseTrack18 frames with 14 persons.

:func:`write_sample_run_config` writes a config that inherits any leaf config and changes only
what a run on the samples needs (a tiny HRNet, the sample paths, small batches, one epoch): the
leaf's codec, pipelines, datasets, metric and hooks are the ones under test.
"""
import copy
import functools
import json
from pathlib import Path
from typing import Any, Dict, Optional

import numpy as np
from mmengine.config import Config

from hrnet_plugin.datasets import write_mpii_headbox_mat

from ..conftest import DATA_ROOT as SAMPLES
from ..conftest import REPO_ROOT
from ..models.hrnet_archs import TINY_EXTRA

CONFIGS = {
    'coco': REPO_ROOT / 'configs/coco/td-hm_hrnet-w32_8xb64-210e_coco-256x192.py',
    'mpii': REPO_ROOT / 'configs/mpii/td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py',
    'posetrack18':
        REPO_ROOT / 'configs/posetrack18/td-hm_hrnet-w32_8xb64-20e_posetrack18-256x192.py',
}
#: Dataset settings that replace the configs' paths (both splits use the one sample file).
SAMPLE_SETTINGS: Dict[str, Dict[str, Any]] = {
    'coco': {'data_root': f'{SAMPLES}/coco/', 'ann_file': 'test_coco.json', 'bbox_file': None},
    'mpii': {'data_root': f'{SAMPLES}/mpii/', 'ann_file': 'test_mpii.json',
             'headbox_file': None},
    'posetrack18': {'data_root': f'{SAMPLES}/posetrack18/',
                    'ann_file': 'annotations/test_posetrack18_val.json'},
}
COCO_DETECTIONS = SAMPLES / 'coco' / 'test_coco_det_AP_H_56.json'
POSETRACK18_ANNOTATIONS = SAMPLES / 'posetrack18' / 'annotations' / 'test_posetrack18_val.json'
TRAIN_SAMPLES = 4  # persons per training epoch: 2 iterations of batch 2

SAMPLE_RUN_CONFIG = """\
_base_ = [{config!r}]
model = dict(backbone=dict(extra={extra!r}, init_cfg=None), head=dict(in_channels={channels}))
load_from = None
randomness = dict(seed=0)
train_cfg = {train_cfg!r}  # validate once, at the end
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset={train!r})
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False, dataset={val!r})
test_dataloader = val_dataloader
val_evaluator = {evaluator!r}
test_evaluator = val_evaluator
"""


@functools.cache
def load_config(dataset: str) -> Config:
    """The W32 config of ``dataset`` (cached: copy before modifying)."""
    return Config.fromfile(str(CONFIGS[dataset]))


def sample_dataset_cfg(dataset: str, split: str, **overrides: Any) -> Config:
    """The ``split`` ('train' or 'val') dataset settings of ``dataset``'s W32 config on the
    samples, with ``overrides`` applied last."""
    settings = copy.deepcopy(load_config(dataset)[f'{split}_dataloader'].dataset)
    settings.update(data_prefix={'img': ''}, **SAMPLE_SETTINGS[dataset])
    settings.update(overrides)
    return settings


def samples_of(config: Path) -> str:
    """The sample dataset a leaf config runs on: its folder's ('coco' for the quickstart's
    synthetic people, which are in COCO's format)."""
    return config.parent.name if config.parent.name in SAMPLE_SETTINGS else 'coco'


def mpii_headboxes(path: Path) -> Path:
    """Head boxes for the MPII sample: squares centred between upper neck (joint 8) and head top
    (joint 9), of side 1.1x their distance (the sample ships no ``mpii_gt_val.mat``)."""
    joints = np.array([ann['joints'] for ann in json.loads(
        (SAMPLES / 'mpii' / 'test_mpii.json').read_text())])
    centre = (joints[:, 8] + joints[:, 9]) / 2
    half = 0.55 * np.linalg.norm(joints[:, 9] - joints[:, 8], axis=-1)[:, None]
    return write_mpii_headbox_mat(path, np.stack([centre - half, centre + half], axis=1))


def write_sample_run_config(config: Path, out_dir: Path, epochs: int = 1,
                            evaluator: Optional[dict] = None, val: Optional[dict] = None,
                            iter_based: bool = False) -> Path:
    """Write ``out_dir/samples_<name>.py``: ``config`` with the tiny HRNet (8-64 channels), on
    the samples of :func:`samples_of`, batches of 2 (training, 4 persons) and 4 (validation)
    without worker processes, and ``epochs`` epochs validated once at the end.

    Args:
        config: the leaf config to inherit.
        out_dir: where the config (and the MPII head boxes) go.
        epochs: training epochs (iterations of 2 persons with ``iter_based``).
        evaluator: fields merged into val_evaluator/test_evaluator (the dataset's own paths
            are set here).
        val: fields merged into the validation dataset settings.
        iter_based: whether ``config`` trains by iterations (the quickstart).

    Returns:
        The config path.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    dataset = samples_of(config)
    paths = {**SAMPLE_SETTINGS[dataset], 'data_prefix': {'img': ''}}
    val_settings = {**paths, **(val or {})}
    evaluator = dict(evaluator or {})
    if dataset == 'mpii':
        val_settings['headbox_file'] = str(mpii_headboxes(out_dir / 'headboxes.mat'))
    if dataset == 'posetrack18':
        evaluator['ann_file'] = str(POSETRACK18_ANNOTATIONS)
    train_cfg = (dict(max_iters=epochs, val_interval=epochs) if iter_based
                 else dict(max_epochs=epochs, val_interval=epochs))
    text = SAMPLE_RUN_CONFIG.format(
        config=str(config.resolve()), extra=TINY_EXTRA,
        channels=TINY_EXTRA['stage2']['num_channels'][0], train_cfg=train_cfg,
        train={**paths, 'indices': TRAIN_SAMPLES}, val=val_settings, evaluator=evaluator)
    path = out_dir / f'samples_{config.stem}.py'
    path.write_text(text)
    return path
