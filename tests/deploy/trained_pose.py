"""A tiny HRNet trained at test time on synthetic people, for the accuracy gates of the runtime
backends and precisions: random weights give flat heatmaps, on which an AP or a keypoint
difference means nothing.

The quickstart config shrunk: the test architecture (branch widths 8-64), 64x96 crops with
DARK heatmaps of 16x24, and only the persons that face the camera (on them left and right follow
from the image side; telling a figure seen from behind takes the quickstart ~400 iterations,
during which half the left/right pairs come out swapped and AP stays near 0). With mmpose's
initialisation (normal, std 0.001), Adam and a one-cycle schedule, 150 iterations of 32 crops
(about 50 s on one core of a shared 2-core machine) reached an AP of 0.33 on the validation
persons.
"""
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmpose.registry import DATASETS, MODELS

from hrnet_plugin.synthetic import generate_synthetic_coco

from ..models.hrnet_archs import TINY_EXTRA

REPO_ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = REPO_ROOT / 'configs' / 'quickstart' / \
    'td-hm_hrnet-w24-tiny_1xb32-5min_synthetic-96x64.py'
CODEC = dict(type='hrnet_plugin.MSRAHeatmap', input_size=(64, 96), heatmap_size=(16, 24),
             sigma=2, unbiased=True)
NUM_TRAIN, NUM_VAL = 600, 100      # images of 128x128 with 1-2 figures
ITERATIONS, BATCH, LR = 150, 32, 5e-3
AUGMENTED_PASSES = 2               # crops drawn through the train pipeline per person
CALIBRATION_CROPS = 100            # int8 calibration: training persons

CONFIG = """_base_ = [{base!r}]
from hrnet_plugin.datasets import codec_settings

codec = {codec!r}
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
model['backbone'] = dict(extra={extra!r})
model['head']['in_channels'] = {width}
data_root = {data_root!r}
train_dataloader['dataset'].update(data_root=data_root, ann_file='annotations/front_train.json')
val_dataloader['dataset'].update(data_root=data_root, ann_file='annotations/front_val.json')
test_dataloader['dataset'].update(data_root=data_root, ann_file='annotations/front_val.json',
                                  bbox_file=None)
"""


@dataclass(frozen=True)
class TrainedPose:
    """Files of the trained model: config and checkpoint (with ``dataset_meta``)."""

    config: Path
    checkpoint: Path

    def train_dataset(self) -> dict:
        """The config's training persons (the int8 calibration set of the tests)."""
        return dict(Config.fromfile(str(self.config)).train_dataloader.dataset)


def _front_facing(data: dict, split: str) -> None:
    """Write ``annotations/front_<split>.json``: the split with its front-facing persons."""
    coco = json.loads(Path(data[f'{split}_ann']).read_text())
    coco['annotations'] = [a for a in coco['annotations'] if a['facing'] == 'front']
    (Path(data['out_dir']) / 'annotations' / f'front_{split}.json').write_text(json.dumps(coco))


def _train(cfg: Config, checkpoint: Path) -> None:
    torch.manual_seed(0)
    np.random.seed(0)  # mmpose's random flips and box jitter
    with DefaultScope.overwrite_default_scope('mmpose'):
        model = MODELS.build(cfg.model)
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        samples = [dataset[i] for _ in range(AUGMENTED_PASSES) for i in range(len(dataset))]
    model.init_weights()
    model.train()
    data = model.data_preprocessor(pseudo_collate(samples), training=True)
    inputs, targets = data['inputs'], data['data_samples']
    optimizer = torch.optim.Adam(model.parameters(), LR)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, LR, total_steps=ITERATIONS)
    generator = torch.Generator().manual_seed(0)
    for _ in range(ITERATIONS):
        pick = torch.randint(len(inputs), (BATCH, ), generator=generator).tolist()
        loss = model.loss(inputs[pick], [targets[i] for i in pick])['loss_kpt']
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    tmp = checkpoint.with_suffix('.tmp')
    torch.save({'state_dict': model.state_dict(),
                'meta': {'dataset_meta': dataset.metainfo}}, tmp)
    os.replace(tmp, checkpoint)


def train_tiny_pose(out_dir: Path) -> TrainedPose:
    """Generate the data, write the config and train (one torch thread) into ``out_dir``; a
    finished run there is reused (the fixtures of several test folders share one)."""
    config, checkpoint = out_dir / 'tiny_synthetic.py', out_dir / 'pose.pth'
    if not checkpoint.is_file():
        data = generate_synthetic_coco(out_dir / 'data', num_train=NUM_TRAIN, num_val=NUM_VAL,
                                       image_size=(128, 128), max_figures=2, seed=0)
        data_root = str(Path(data['out_dir']).resolve()) + '/'
        for split in ('train', 'val'):
            _front_facing(data, split)
        config.write_text(CONFIG.format(base=str(QUICKSTART), codec=CODEC, extra=TINY_EXTRA,
                                        width=TINY_EXTRA['stage4']['num_channels'][0],
                                        data_root=data_root))
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            _train(Config.fromfile(str(config)), checkpoint)
        finally:
            torch.set_num_threads(threads)
    return TrainedPose(config, checkpoint)
