"""The W32 configs of each dataset, pointed at the sample data beside the repository.

The samples (``../shared/data``, see its README) are mmpose's test fixtures: 4 COCO val images
with 14 persons, 5 MPII persons, 3 PoseTrack18 frames with 14 persons.
"""
import copy
import functools
from pathlib import Path
from typing import Any, Dict

from mmengine.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT.parent / 'shared' / 'data'
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
