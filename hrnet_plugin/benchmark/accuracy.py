"""COCO keypoint AP of a pose model of any backend, as mmengine's validation loop computes it."""
import copy
from typing import Optional

import torch.nn as nn
from mmengine.dataset import pseudo_collate
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmpose.registry import DATASETS, METRICS


def coco_ap(model: nn.Module, dataset: Optional[dict] = None, batch_size: int = 32) -> float:
    """COCO AP (mmpose's ``CocoMetric``, xtcocotools' COCOeval) of ``model`` on a dataset.

    The persons go through the config's validation pipeline and ``model.test_step`` in
    batches, and ``CocoMetric`` compares the predictions with the dataset's annotation file,
    as mmengine's validation loop does.

    Args:
        model: a top-down estimator with ``cfg`` (``init_pose_model``, any backend).
        dataset: an mmpose COCO-format dataset config (its boxes: annotated, or a detection
            file); None: the config's ``val_dataloader.dataset``. The config's validation
            pipeline replaces the dataset's.
        batch_size: crops per ``test_step``.
    """
    cfg = model.cfg
    settings = copy.deepcopy(dict(dataset or cfg.val_dataloader.dataset))
    settings.update(pipeline=copy.deepcopy(cfg.val_dataloader.dataset.pipeline), test_mode=True)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpose')):
        data = DATASETS.build(settings)
        evaluator = Evaluator(METRICS.build(dict(type='CocoMetric', ann_file=data.ann_file)))
        evaluator.dataset_meta = data.metainfo
        for start in range(0, len(data), batch_size):
            batch = pseudo_collate([data[i] for i in range(start, min(start + batch_size,
                                                                        len(data)))])
            evaluator.process(model.test_step(batch), batch)
        return float(evaluator.evaluate(len(data))['coco/AP'])
