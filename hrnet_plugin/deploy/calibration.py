"""Calibration crops for post-training quantization: person crops of a dataset, as the model
sees them at inference time."""
import copy
from typing import Optional

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmpose.registry import DATASETS
from torch import Tensor

from .export_cache import file_sha256, json_sha256

#: Most crops used for calibration (the usual post-training quantization budget).
MAX_CALIBRATION_CROPS = 300


class CalibrationSet:
    """Up to ``size`` person crops of a dataset, evenly spread over it, through the model's
    test pipeline and data preprocessor.

    The crops are read only when ``inputs()`` is called; ``fingerprint`` (what the quantized
    model depends on: the dataset settings, its annotation file's content and the chosen
    samples) is known before, so a cached quantized model is found without reading images.

    Args:
        model: the top-down estimator (its ``cfg`` and ``data_preprocessor`` are used).
        dataset: an mmpose dataset config; None: the config's ``val_dataloader.dataset``.
            Its pipeline is replaced by the config's test pipeline (the crops inference sees).
        size: number of crops, 1 to ``MAX_CALIBRATION_CROPS``.
    """

    def __init__(self, model: nn.Module, dataset: Optional[dict] = None,
                 size: int = MAX_CALIBRATION_CROPS) -> None:
        if not 1 <= size <= MAX_CALIBRATION_CROPS:
            raise ValueError(f'calibration size must be in [1, {MAX_CALIBRATION_CROPS}], '
                             f'got {size}')
        cfg = model.cfg
        settings = copy.deepcopy(dict(dataset or cfg.val_dataloader.dataset))
        settings['pipeline'] = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
        settings['test_mode'] = True
        self.scope = cfg.get('default_scope', 'mmpose')
        with DefaultScope.overwrite_default_scope(self.scope):
            self.dataset = DATASETS.build(ConfigDict(settings))
        if len(self.dataset) == 0:
            raise ValueError(f'calibration dataset {self.dataset.ann_file} has no person')
        count = min(size, len(self.dataset))
        self.indices = np.linspace(0, len(self.dataset) - 1, count).round().astype(int).tolist()
        self.preprocessor = model.data_preprocessor
        self.fingerprint = json_sha256(dict(settings=settings, indices=self.indices,
                                            annotations=file_sha256(self.dataset.ann_file)))

    def inputs(self) -> Tensor:
        """(M, 3, H, W) float32 normalised crops, M = ``len(indices)``."""
        with DefaultScope.overwrite_default_scope(self.scope):
            batch = pseudo_collate([self.dataset[i] for i in self.indices])
        with torch.no_grad():
            return self.preprocessor(batch)['inputs'].float()
