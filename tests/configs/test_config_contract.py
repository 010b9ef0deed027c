"""Contract of every leaf config under configs/: its name tells the truth, its codec is defined
once and shared by model and pipelines, it uses the plugin's components, mmpose builds its model
and datasets, and it is a classic mmengine config (a delta of its bases, see
``hrnet_plugin.datasets.codec_settings``).

Names follow mmpose: ``td-hm_hrnet-w{width}[-{size}][_{dark|udp}]-{gpus}xb{batch}-{schedule}_
{dataset}-{height}x{width}.py``. The benchmark configs (``configs/{coco,mpii,posetrack18}/``)
are also held to the paper's and mmpose's recipes (tests/configs/test_mmpose_grid.py compares
them with mmpose's configs of the same names).
"""
import copy
import functools
import re
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import mmpose
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.registry import DATASETS, MODELS

from hrnet_plugin.codecs import MSRAHeatmap, UDPHeatmap
from hrnet_plugin.models import HeatmapHead, HRNet
from hrnet_plugin.models.backbones import hrnet_extra

from ..conftest import REPO_ROOT
from .samples import CONFIGS as W32_CONFIGS
from .samples import SAMPLE_SETTINGS, samples_of

CONFIGS = sorted(path for path in (REPO_ROOT / 'configs').rglob('*.py')
                 if '_base_' not in path.parts)
NAME = re.compile(r'td-hm_hrnet-w(?P<width>\d+)(?:-(?P<size>[a-z]+))?(?:_(?P<variant>dark|udp)-|_)'
                  r'(?P<gpus>\d+)xb(?P<batch>\d+)-(?P<schedule>\d+(?:e|min))_(?P<dataset>[a-z0-9]+)'
                  r'-(?P<height>\d+)x(?P<in_width>\d+)')
DATASET_TYPES = {'coco': 'hrnet_plugin.ValidatedCocoDataset',
                 'mpii': 'hrnet_plugin.ValidatedMpiiDataset',
                 'posetrack18': 'hrnet_plugin.ValidatedPoseTrack18Dataset'}
BENCHMARKS = sorted(path for path in CONFIGS if path.parent.name in DATASET_TYPES)
EVALUATORS = {'coco': ('CocoMetric', 'coco/AP'), 'mpii': ('MpiiPCKAccuracy', 'PCK'),
              'posetrack18': ('hrnet_plugin.PoseTrack18Metric', 'posetrack18/Total AP')}
SIGMA_BY_HEIGHT = {256: 2, 384: 3}  # HRNet's Gaussian sizes for its two input sizes
IMAGENET_URL = 'https://download.openmmlab.com/mmpose/pretrain_models/hrnet_w{}-'
COCO_DETECTIONS = 'data/coco/person_detection_results/COCO_val2017_detections_AP_H_56_person.json'
MMPOSE_METAINFO = Path(mmpose.__file__).parent / '.mim/configs/_base_/datasets'


@functools.cache
def _load(path: Path) -> Tuple[Dict[str, str], Config]:
    match = NAME.fullmatch(path.stem)
    assert match, f'{path.name} does not follow the naming scheme'
    return match.groupdict(), Config.fromfile(str(path))


def load(path: Path) -> Tuple[Dict[str, str], Config]:
    """(fields of the file name, a copy of the loaded config)."""
    fields, cfg = _load(path)
    return fields, copy.deepcopy(cfg)


def _pipelines(cfg: Config) -> dict:
    return {split: cfg[f'{split}_dataloader'].dataset.pipeline
            for split in ('train', 'val', 'test')}


@pytest.mark.parametrize('path', CONFIGS, ids=lambda path: path.stem)
def test_name_matches_values(path):
    fields, cfg = load(path)
    width, height, in_width = int(fields['width']), int(fields['height']), int(fields['in_width'])
    stages = cfg.model.backbone.extra
    for stage, branches in (('stage2', 2), ('stage3', 3), ('stage4', 4)):
        assert stages[stage].num_channels == tuple(width * 2 ** i for i in range(branches))
    if path.parent.name != 'quickstart':
        assert stages.to_dict() == hrnet_extra(width)  # the paper's architecture
    assert cfg.model.head.in_channels == width
    assert cfg.train_dataloader.batch_size == int(fields['batch'])
    assert cfg.codec['input_size'] == (in_width, height)  # mmpose sizes are (w, h)
    assert cfg.codec['heatmap_size'] == (in_width // 4, height // 4)
    if fields['variant'] == 'dark':
        assert cfg.codec['type'] == 'hrnet_plugin.MSRAHeatmap' and cfg.codec['unbiased']
    if fields['variant'] == 'udp':
        assert cfg.codec['type'] == 'hrnet_plugin.UDPHeatmap'


@pytest.mark.parametrize('path', CONFIGS, ids=lambda path: path.stem)
def test_codec_is_shared_by_head_and_pipelines(path):
    _, cfg = load(path)
    codec = cfg.codec.to_dict()
    assert codec['type'].startswith('hrnet_plugin.')
    assert cfg.model.head.decoder.to_dict() == codec
    for split, pipeline in _pipelines(cfg).items():
        affine = [step for step in pipeline if step.type == 'TopdownAffine']
        assert [step.input_size for step in affine] == [codec['input_size']], split
        targets = [step.encoder.to_dict() for step in pipeline if step.type == 'GenerateTarget']
        assert targets == ([codec] if split == 'train' else []), split


@pytest.mark.parametrize('path', CONFIGS, ids=lambda path: path.stem)
def test_mmpose_builds_the_plugin_model(path):
    fields, cfg = load(path)
    assert 'hrnet_plugin' in cfg.custom_imports.imports and cfg.default_scope == 'mmpose'
    assert cfg.model.backbone.type == 'hrnet_plugin.HRNet'
    assert cfg.model.head.type == 'hrnet_plugin.HeatmapHead'
    init_default_scope('mmpose')
    cfg.model.backbone.init_cfg = None  # no download
    model = MODELS.build(cfg.model)
    assert isinstance(model.backbone, HRNet) and isinstance(model.head, HeatmapHead)
    assert isinstance(model.head.decoder,
                      UDPHeatmap if fields['variant'] == 'udp' else MSRAHeatmap)
    assert model.head.final_layer.out_channels == cfg.model.head.out_channels


@pytest.mark.parametrize('path', BENCHMARKS, ids=lambda path: path.stem)
def test_benchmark_recipe(path):
    fields, cfg = load(path)
    dataset, variant, height = fields['dataset'], fields['variant'], int(fields['height'])
    assert path.parent.name == dataset
    assert cfg.model.type == 'hrnet_plugin.TopdownPoseEstimator'  # one-pass flip test
    epochs = int(fields['schedule'].removesuffix('e'))
    assert cfg.train_cfg.max_epochs == epochs
    step_schedule = [s for s in cfg.param_scheduler if s.type == 'MultiStepLR']
    assert [s.end for s in step_schedule] == [epochs]
    assert max(step_schedule[0].milestones) < epochs
    assert cfg.codec['sigma'] == SIGMA_BY_HEIGHT[height]
    assert cfg.codec.get('unbiased', False) == (variant == 'dark')
    use_udp = {step.get('use_udp', False) for pipeline in _pipelines(cfg).values()
               for step in pipeline if step.type == 'TopdownAffine'}
    assert use_udp == {variant == 'udp'}
    # The one-pixel shift of flipped heatmaps corrects the biased flip; UDP's flip needs none.
    assert cfg.model.test_cfg == {'flip_test': True, 'flip_mode': 'heatmap',
                                  'shift_heatmap': variant != 'udp'}


@pytest.mark.parametrize('path', BENCHMARKS, ids=lambda path: path.stem)
def test_benchmark_data_and_evaluation(path):
    fields, cfg = load(path)
    dataset = fields['dataset']
    for split in ('train', 'val', 'test'):
        settings = cfg[f'{split}_dataloader'].dataset
        assert settings.type == DATASET_TYPES[dataset]
        assert settings.data_root == f'data/{dataset}/'
        assert settings.get('test_mode', False) == (split != 'train')
    # COCO is evaluated on the detector's boxes, as in the paper; the others on annotated boxes.
    assert cfg.test_dataloader.dataset.get('bbox_file') == (
        COCO_DETECTIONS if dataset == 'coco' else None)
    metric, best = EVALUATORS[dataset]
    assert cfg.val_evaluator.type == cfg.test_evaluator.type == metric
    assert cfg.default_hooks.checkpoint.save_best == best
    metainfo = parse_pose_metainfo(DATASETS.get(DATASET_TYPES[dataset]).METAINFO)
    assert cfg.model.head.out_channels == metainfo['num_keypoints']


@pytest.mark.parametrize('path', BENCHMARKS, ids=lambda path: path.stem)
def test_benchmark_initialisation(path):
    fields, cfg = load(path)
    if fields['dataset'] == 'posetrack18':
        # Fine-tuned from the COCO model of the same architecture; no ImageNet download.
        assert cfg.model.backbone.init_cfg is None
        size = f'{fields["height"]}x{fields["in_width"]}'
        assert f'hrnet-w{fields["width"]}_' in cfg.load_from
        assert f'_coco-{size}-' in cfg.load_from  # the COCO model of the same input size
    else:
        assert cfg.model.backbone.init_cfg.type == 'Pretrained'
        assert cfg.model.backbone.init_cfg.checkpoint.startswith(
            IMAGENET_URL.format(fields['width']))
        assert cfg.load_from is None


def _values(node: Any) -> Iterator[Any]:
    """Every value nested in a loaded config."""
    yield node
    children = node.values() if isinstance(node, dict) else (
        node if isinstance(node, (list, tuple)) else ())
    for child in children:
        yield from _values(child)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda path: path.stem)
def test_leaf_is_a_classic_config_of_plain_values(path):
    """The leaves import `codec_settings` after `_base_`: mmengine stays in its classic mode
    (`_is_lazy_import` decides at the first `_base_` assignment), and the imported function
    stays out of the loaded config, which holds plain values only and merges overrides."""
    assert not Config._is_lazy_import(str(path))
    _, cfg = load(path)
    plain = (dict, list, tuple, str, int, float, bool, type(None))
    odd = [value for value in _values(cfg._cfg_dict) if not isinstance(value, plain)]
    assert not odd and 'codec_settings' not in cfg
    cfg.merge_from_dict({'train_dataloader.batch_size': 3, 'model.head.decoder.sigma': 4.5})
    assert cfg.train_dataloader.batch_size == 3 and cfg.model.head.decoder.sigma == 4.5
    assert cfg.train_dataloader.dataset.pipeline == load(path)[1].train_dataloader.dataset.pipeline


def test_import_before_base_would_switch_to_lazy_configs(tmp_path):
    """Why the leaves import after `_base_`: the other order is mmengine's lazy (read_base)
    format, where `_base_` is not the merged base config."""
    leaf = REPO_ROOT / 'configs/coco/td-hm_hrnet-w32_dark-8xb64-210e_coco-256x192.py'
    lines = leaf.read_text().splitlines(keepends=True)
    imports = [line for line in lines if line.startswith('from ')]
    reordered = tmp_path / leaf.name
    reordered.write_text(''.join(imports + [line for line in lines if line not in imports]))
    assert not Config._is_lazy_import(str(leaf))
    assert Config._is_lazy_import(str(reordered))


@pytest.mark.parametrize('path', CONFIGS, ids=lambda path: path.stem)
def test_datasets_build_on_the_samples_and_crop_to_the_codec(path):
    """Each split's dataset, built from the config on the sample data, yields crops of the
    codec's input size; training samples carry one heatmap per keypoint of the codec's size."""
    _, cfg = load(path)
    init_default_scope('mmpose')
    width, height = cfg.codec['input_size']
    heatmap_width, heatmap_height = cfg.codec['heatmap_size']
    for split in ('train', 'val', 'test'):
        settings = copy.deepcopy(cfg[f'{split}_dataloader'].dataset)
        settings.update(data_prefix={'img': ''}, **SAMPLE_SETTINGS[samples_of(path)])
        sample = DATASETS.build(settings)[0]
        assert sample['inputs'].shape == (3, height, width), split
        assert tuple(sample['data_samples'].metainfo['input_size']) == (width, height), split
        heatmaps = sample['data_samples'].get('gt_fields')
        if split == 'train':
            assert heatmaps.heatmaps.shape == (cfg.model.head.out_channels, heatmap_height,
                                               heatmap_width)
        else:
            assert heatmaps is None or 'heatmaps' not in heatmaps, split


def test_no_config_shadows_mmpose_metainfo():
    """mmpose's datasets resolve their `from_file` metainfo (`configs/_base_/datasets/<name>.py`)
    against the working directory first: nothing in this repository may sit at those paths."""
    published = sorted(path.name for path in MMPOSE_METAINFO.glob('*.py'))
    assert {'coco.py', 'mpii.py', 'posetrack18.py'} <= set(published)
    assert not any((REPO_ROOT / 'configs/_base_/datasets' / name).exists() for name in published)


@pytest.mark.parametrize('dataset', sorted(DATASET_TYPES))
@pytest.mark.parametrize('where', ['repository root', 'elsewhere'])
def test_datasets_read_mmpose_metainfo(dataset, where, monkeypatch, tmp_path):
    """From the repository root and from any other directory, the configured datasets load the
    keypoint metadata of mmpose's own file."""
    monkeypatch.chdir(REPO_ROOT if where == 'repository root' else tmp_path)
    _, cfg = load(W32_CONFIGS[dataset])
    settings = copy.deepcopy(cfg.val_dataloader.dataset)
    settings.update(data_prefix={'img': ''}, **SAMPLE_SETTINGS[dataset])
    init_default_scope('mmpose')
    packaged = MMPOSE_METAINFO / f'{dataset}.py'
    with pytest.warns(UserWarning, match=re.escape(f'"{packaged}" will be used instead')):
        metainfo = DATASETS.build(settings).metainfo
    expected = parse_pose_metainfo({'from_file': str(packaged)})
    assert metainfo['dataset_name'] == expected['dataset_name']
    assert metainfo['keypoint_name2id'] == expected['keypoint_name2id']
    assert metainfo['flip_indices'] == expected['flip_indices']
    assert metainfo['sigmas'].tolist() == expected['sigmas'].tolist()
