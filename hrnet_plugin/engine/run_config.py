"""The config of a training or test run, assembled from the command line of tools/train.py and
tools/test.py (mmpose's command lines), and checked before any work starts."""
import os.path as osp
from typing import Iterator, Optional, Tuple

from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpose.registry import DATASETS

#: The dataloaders whose datasets a run may build.
DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def load_run_config(config: str, cfg_options: Optional[dict] = None, launcher: str = 'none',
                    work_dir: Optional[str] = None) -> Config:
    """Load ``config``, apply the options every run takes and check it (``check_run_config``).

    Args:
        config: the config file.
        cfg_options: overrides, merged first, so the tools' own flags have the last word.
        launcher: how the processes were launched ('none', 'pytorch', 'slurm', 'mpi').
        work_dir: where logs and checkpoints go; default: the config's ``work_dir``, else
            ``work_dirs/<config name>``.

    Raises:
        FileNotFoundError: no such config file.
        ValueError: the config is not valid Python; see ``check_run_config``.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file {config} does not exist')
    try:
        cfg = Config.fromfile(config)
    except SyntaxError as error:  # mmengine's parser does not name the file
        raise ValueError(f'config file {config} is not valid Python: {error.msg} '
                         f'(line {error.lineno})') from error
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(config))[0])
    check_run_config(cfg)
    return cfg


def _datasets(cfg: Config) -> Iterator[Tuple[str, dict]]:
    for loader in DATALOADERS:
        dataset = (cfg.get(loader) or {}).get('dataset')
        if dataset:
            yield f'{loader}.dataset', dataset


def _num_keypoints(dataset: dict, scope: str) -> Optional[int]:
    """The keypoints of a dataset config (its ``metainfo``, else its class's), loaded and
    checked as the dataset will (the validated datasets check the per-keypoint arrays), or None
    for a type that is not a pose dataset or not registered (the Runner reports the latter)."""
    with DefaultScope.overwrite_default_scope(scope):
        cls = DATASETS.get(dataset.get('type', ''))
    if cls is None or not getattr(cls, 'METAINFO', None):
        return None
    metainfo = dataset.get('metainfo')
    return cls._load_metainfo(None if metainfo is None else dict(metainfo))['num_keypoints']


def _hrnet_stride(backbone: dict) -> Optional[int]:
    """How many input pixels make one pixel of HRNet's lowest-resolution branch: the stem
    halves twice, each further branch halves once more (32 for four branches)."""
    stages = [v for k, v in (backbone.get('extra') or {}).items() if k.startswith('stage')]
    if not str(backbone.get('type', '')).endswith('HRNet') or not stages:
        return None
    return 4 * 2**(max(stage.get('num_branches', 1) for stage in stages) - 1)


def check_run_config(cfg: Config) -> None:
    """Check what the Runner would only find out deep inside a run: the datasets' metainfo
    (per-keypoint arrays, flip pairs), the head predicts as many keypoints as every dataset
    has, and the input size of every ``TopdownAffine`` is a multiple of HRNet's stride (its
    branches are fused by exact upsampling).

    Raises:
        ValueError: naming the config file, the field and the values.
    """
    name = f'config {cfg.filename}' if cfg.filename else 'config'
    model = cfg.get('model') or {}
    scope = cfg.get('default_scope') or 'mmpose'
    channels = (model.get('head') or {}).get('out_channels')
    stride = _hrnet_stride(model.get('backbone') or {})
    for where, dataset in _datasets(cfg):
        try:
            keypoints = _num_keypoints(dataset, scope)
        except ValueError as error:
            source = (dataset.get('metainfo') or {}).get('from_file', 'of its class')
            raise ValueError(f'{name}: {where}.metainfo ({source}): {error}') from error
        if channels is not None and keypoints is not None and channels != keypoints:
            raise ValueError(f'{name}: model.head.out_channels is {channels} but {where} '
                             f'({dataset["type"]}) has {keypoints} keypoints')
        for transform in dataset.get('pipeline') or []:
            size = transform.get('input_size') if transform.get('type') == 'TopdownAffine' \
                else None
            if stride and size is not None and any(side % stride for side in size):
                raise ValueError(
                    f'{name}: {where} TopdownAffine input_size {tuple(size)} must be multiples '
                    f'of {stride} for HRNet with its branches (codec input_size)')
