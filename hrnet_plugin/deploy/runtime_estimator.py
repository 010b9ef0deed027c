"""A top-down pose estimator whose network runs in a runtime session (OpenVINO, onnxruntime)."""
from typing import Callable, List, Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.structures import PoseDataSample
from torch import Tensor


class RuntimePoseEstimator(BaseModel):
    """mmpose's top-down estimator contract over an exported heatmap graph.

    ``test_step(batch)`` (data preprocessing, then ``forward(mode='predict')``),
    ``forward(inputs, mode='tensor')`` (heatmaps), ``cfg``, ``dataset_meta``, ``test_cfg`` and
    ``head.decoder`` are the estimator's, so ``inference_topdown``, ``estimate_poses``,
    ``TopDownPipeline`` and mmpose's own ``inference_topdown`` use it unchanged. The backbone
    and head run in ``session`` (with the flip test inside the graph when it was exported with
    it: then ``mode='tensor'`` returns the flip-averaged heatmaps); decoding stays the head's
    codec and the crop-to-image mapping mmpose's.

    Shapes: N crops, K keypoints, input [H, W], heatmaps [h, w].

    Args:
        estimator: the PyTorch estimator the graph was exported from; its data preprocessor
            and head (for decoding) are kept, its backbone is not.
        session: (N, 3, H, W) float32 -> (N, K, h, w) heatmaps.
        backend, precision: what runs the graph, for reports.
        export_dir: the cached export's folder.
    """

    def __init__(self, estimator: nn.Module, session: Callable[[Tensor], Tensor], backend: str,
                 precision: str, export_dir: Optional[str] = None) -> None:
        super().__init__(data_preprocessor=estimator.data_preprocessor)
        self.head = estimator.head
        self.test_cfg = dict(estimator.test_cfg)
        self.metainfo = getattr(estimator, 'metainfo', None)
        self.dataset_meta = getattr(estimator, 'dataset_meta', None)
        self.cfg = getattr(estimator, 'cfg', None)
        self.session = session
        self.backend, self.precision, self.export_dir = backend, precision, export_dir

    def forward(self, inputs: Tensor, data_samples: Optional[List[PoseDataSample]] = None,
                mode: str = 'tensor') -> Union[Tensor, List[PoseDataSample]]:
        """'tensor': (N, K, h, w) heatmaps; 'predict': ``data_samples`` with
        ``pred_instances`` in image coordinates (and ``pred_fields`` with ``output_heatmaps``).
        No 'loss': an exported graph does not train."""
        if mode == 'tensor':
            return self.session(inputs)
        if mode != 'predict':
            raise ValueError(f"a {self.backend} model runs mode 'tensor' or 'predict', "
                             f'not {mode!r}')
        if self.metainfo is not None:
            for sample in data_samples:
                sample.set_metainfo(self.metainfo)
        with torch.no_grad():
            heatmaps = self.session(inputs)
        instances = self.head.decode(heatmaps)
        fields = None
        if self.test_cfg.get('output_heatmaps', False):
            fields = [PixelData(heatmaps=maps) for maps in heatmaps]
        # mmpose's crop -> image mapping; it reads nothing of the estimator but test_cfg.
        return TopdownPoseEstimator.add_pred_to_datasample(self, instances, fields, data_samples)
