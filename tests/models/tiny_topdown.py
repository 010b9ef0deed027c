"""A tiny top-down HRNet estimator and hand-made batches, for fast tests of the estimator, the
inference optimisations and the tools."""
from pathlib import Path
from typing import Iterator, List, Optional

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData, PixelData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import hrnet_plugin.models.pose_estimators  # noqa: F401  (registers TopdownPoseEstimator)
from hrnet_plugin.codecs import MSRAHeatmap

from .hrnet_archs import TINY_EXTRA

# [W, H] of the crops: multiples of 32, as HRNet's lowest branch has 1/32 of the resolution.
INPUT_SIZE = (64, 96)
HEATMAP_SIZE = (16, 24)     # 1/4 of the input, as HRNet's head outputs
NUM_KEYPOINTS = 17
COCO_FLIP = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
CODEC = dict(type='hrnet_plugin.MSRAHeatmap', input_size=INPUT_SIZE, heatmap_size=HEATMAP_SIZE,
             sigma=2)
TEST_CFG = dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True)
W32_CONFIG = Path(__file__).resolve().parents[2] / 'configs' / 'coco' / \
    'td-hm_hrnet-w32_8xb64-210e_coco-256x192.py'


@pytest.fixture(scope='module')
def single_thread() -> Iterator[None]:
    """One torch thread: tiny models gain nothing from more, and on a shared 2-core machine
    OpenMP threads that wait for each other made these tests ~15x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_model_cfg(estimator: str = 'hrnet_plugin.TopdownPoseEstimator',
                   codec: Optional[dict] = None, test_cfg: Optional[dict] = None,
                   **estimator_args) -> dict:
    """Model dict of a W8 HRNet + HeatmapHead top-down estimator (the W32 config's layout).
    Build it with ``build_model`` (mmpose's registry in mmpose's default scope, as configs)."""
    return dict(
        type=estimator,
        data_preprocessor=dict(type='PoseDataPreprocessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
        backbone=dict(type='hrnet_plugin.HRNet', extra=TINY_EXTRA),
        head=dict(type='hrnet_plugin.HeatmapHead', in_channels=8, out_channels=NUM_KEYPOINTS,
                  deconv_out_channels=None,
                  loss=dict(type='KeypointMSELoss', use_target_weight=True),
                  decoder=codec or CODEC),
        test_cfg=test_cfg or TEST_CFG, **estimator_args)


@torch.no_grad()
def randomize(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Seeded weights of unit gain and non-trivial BatchNorm statistics and affine parameters,
    so activations keep their scale and eval-mode BatchNorm is not an identity."""
    gen = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            fan_in = module.weight[0].numel()
            module.weight.copy_(torch.randn(module.weight.shape, generator=gen) / fan_in**0.5)
            if module.bias is not None:
                module.bias.copy_(torch.randn(module.bias.shape, generator=gen) * 0.1)
        elif isinstance(module, torch.nn.BatchNorm2d):
            size = module.num_features
            module.weight.copy_(torch.rand(size, generator=gen) + 0.5)
            module.bias.copy_(torch.randn(size, generator=gen) * 0.1)
            module.running_mean.copy_(torch.randn(size, generator=gen) * 0.1)
            module.running_var.copy_(torch.rand(size, generator=gen) + 0.5)
    return model


def build_model(cfg: dict) -> torch.nn.Module:
    init_default_scope('mmpose')
    return MODELS.build(cfg)


def build_tiny(seed: int = 0, **cfg_args) -> torch.nn.Module:
    """A randomized tiny estimator in eval mode (``tiny_model_cfg(**cfg_args)``)."""
    model = build_model(tiny_model_cfg(**cfg_args))
    model.dataset_meta = dict(flip_indices=COCO_FLIP)
    return randomize(model, seed).eval()


def make_batch(num: int, seed: int, with_targets: bool = False) -> dict:
    """A collated batch of ``num`` random uint8 crops with their data samples (crop metainfo;
    with targets: MSRA heatmaps of random keypoints and their weights)."""
    rng = np.random.default_rng(seed)
    codec = MSRAHeatmap(INPUT_SIZE, HEATMAP_SIZE, sigma=2)
    inputs: List[torch.Tensor] = []
    samples: List[PoseDataSample] = []
    for _ in range(num):
        inputs.append(torch.from_numpy(rng.integers(0, 256, (3, INPUT_SIZE[1], INPUT_SIZE[0]),
                                                    dtype=np.uint8)))
        center = rng.uniform(50, 150, 2).astype(np.float32)
        sample = PoseDataSample(metainfo=dict(
            input_size=INPUT_SIZE, input_center=center, input_scale=np.float32([60., 80.]),
            flip_indices=COCO_FLIP))
        sample.gt_instances = InstanceData(bboxes=np.float32([[*center - 40, *center + 40]]),
                                           bbox_scores=np.ones(1, np.float32))
        if with_targets:
            keypoints = rng.uniform(0.1, 0.9, (1, NUM_KEYPOINTS, 2)) * INPUT_SIZE
            encoded = codec.encode(keypoints)
            sample.gt_fields = PixelData(heatmaps=torch.from_numpy(encoded['heatmaps']))
            sample.gt_instance_labels = InstanceData(
                keypoint_weights=torch.from_numpy(encoded['keypoint_weights']))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def write_tiny_config(directory: Path) -> Path:
    """A config file that shrinks the COCO W32 config to the tiny HRNet and crop size (for the
    tools), and a checkpoint of a randomized tiny model beside it (``tiny.pth``)."""
    path = directory / 'tiny.py'
    path.write_text(f"""_base_ = [{str(W32_CONFIG)!r}]
codec = {CODEC!r}
model = dict(type='hrnet_plugin.TopdownPoseEstimator',
             backbone=dict(extra={TINY_EXTRA!r}, init_cfg=None),
             head=dict(in_channels=8, decoder=codec))
_crop = [dict(type='TopdownAffine', input_size=codec['input_size'])]
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.train_before_crop, *_crop, dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')]))
val_dataloader = dict(dataset=dict(pipeline=[
    *_base_.val_before_crop, *_crop, dict(type='PackPoseInputs')]))
test_dataloader = val_dataloader
""")
    torch.save({'state_dict': build_tiny(seed=11).state_dict()}, directory / 'tiny.pth')
    return path
