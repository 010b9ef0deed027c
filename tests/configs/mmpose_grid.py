"""mmpose's published top-down HRNet models (its metafiles) and its configs of the same names."""
import functools
import re
from pathlib import Path
from typing import Dict

import mmpose
import yaml
from mmengine.config import Config

from ..conftest import REPO_ROOT

MMPOSE_TOPDOWN = Path(mmpose.__file__).parent / '.mim/configs/body_2d_keypoint/topdown_heatmap'
DATASETS = ('coco', 'mpii', 'posetrack18')
#: Published variants without a config here, by the word of their name that marks them.
SKIPPED = {
    'aic': 'trained on COCO and AI Challenger together',
    'fp16': "the W32 config trained with mixed precision: `--amp` of the training tools",
    'regress': "UDP's combined classification-regression targets (3 maps per keypoint)",
    'coarsedropout': 'Albumentations augmentation (albumentations is not a dependency)',
    'gridmask': 'Albumentations augmentation (albumentations is not a dependency)',
    'photometric': 'Albumentations augmentation (albumentations is not a dependency)',
}


@functools.cache
def published_models() -> Dict[str, dict]:
    """Name -> metafile entry of every HRNet top-down heatmap model with weights that mmpose
    publishes for COCO, MPII and PoseTrack18 (the first entry where a name is listed twice)."""
    models = {}
    for dataset in DATASETS:
        for metafile in sorted((MMPOSE_TOPDOWN / dataset).glob('*.yml')):
            for model in yaml.safe_load(metafile.read_text())['Models']:
                if model['Name'].startswith('td-hm_hrnet-w') and model.get('Weights'):
                    models.setdefault(model['Name'], model)
    return models


def skip_reason(name: str) -> str:
    """Why the published model ``name`` has no config here ('' if it has one)."""
    words = re.split(r'[_-]', name)
    return next((reason for word, reason in SKIPPED.items() if word in words), '')


@functools.cache
def mmpose_config(name: str) -> Config:
    """mmpose's config ``name`` (cached: copy before modifying)."""
    model = published_models()[name]
    return Config.fromfile(str(MMPOSE_TOPDOWN.parents[1] / Path(model['Config']).relative_to(
        'configs')))


def our_config_path(name: str) -> Path:
    dataset = published_models()[name]['Config'].split('/')[-2]
    return REPO_ROOT / 'configs' / dataset / f'{name}.py'
