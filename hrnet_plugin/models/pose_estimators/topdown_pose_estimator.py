"""Top-down pose estimator: mmpose's, with a one-pass flip test and speed options for training."""
from typing import Optional, Union

import torch
from mmpose.models.pose_estimators import TopdownPoseEstimator as MMPoseTopdownPoseEstimator
from mmpose.utils.typing import ForwardResults, OptSampleList, SampleList
from torch import Tensor

from hrnet_plugin.registry import MODELS

from .mixed_precision import Features, extract_features, parse_amp_dtype


@MODELS.register_module()
class TopdownPoseEstimator(MMPoseTopdownPoseEstimator):
    """mmpose's ``TopdownPoseEstimator`` (same arguments, state_dict and outputs), plus:

    * flip test in one backbone pass over ``[images; mirrored images]`` (2N) instead of two
      passes of N: one larger batch uses the cores better, and the head gets the two halves as
      views (``[feats, flipped_feats]``, what mmpose's heads expect). BatchNorm runs in eval
      mode at test time, so each image's result does not depend on the batch it is in, and the
      predictions equal mmpose's two-pass path.
    * ``channels_last``: keep parameters and inputs in channels_last layout (faster
      convolutions with oneDNN / cuDNN), for training and testing alike.
    * ``amp_dtype='bfloat16'``: run the backbone (and neck) under bfloat16 autocast; the head
      and loss stay float32 (see ``mixed_precision``). This is mixed precision training
      without a loss scaler (bfloat16 has float32's exponent range, so its gradients need
      none), and it works on CPU, where mmengine 0.10.7's ``AmpOptimWrapper`` refuses to start
      (it asserts a CUDA/NPU/MLU/MUSA device). It is fast only where bfloat16 is native
      (AVX512-BF16/AMX CPUs, recent GPUs); oneDNN emulates it elsewhere.

    Args:
        channels_last: see above.
        amp_dtype: 'bfloat16' or None (float32).
        Others: as mmpose's ``TopdownPoseEstimator``.
    """

    def __init__(self, backbone: dict, neck: Optional[dict] = None, head: Optional[dict] = None,
                 train_cfg: Optional[dict] = None, test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None, metainfo: Optional[dict] = None,
                 channels_last: bool = False, amp_dtype: Optional[str] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, train_cfg=train_cfg,
                         test_cfg=test_cfg, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg, metainfo=metainfo)
        self.amp_dtype = parse_amp_dtype(amp_dtype)
        self.channels_last = channels_last
        if channels_last:
            # Later .to(device), initialisation and checkpoint loading preserve the layout.
            self.to(memory_format=torch.channels_last)

    def forward(self, inputs: Union[Tensor, list], data_samples: OptSampleList = None,
                mode: str = 'tensor') -> ForwardResults:
        """mmpose's ``forward``; ``data_samples`` may be left out in 'tensor' mode, so
        ``model(inputs, mode='tensor')`` works like a plain ``nn.Module``."""
        return super().forward(inputs, data_samples, mode)

    def extract_feat(self, inputs: Tensor) -> Features:
        return extract_features(super().extract_feat, inputs, self.amp_dtype,
                                self.channels_last)

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """As mmpose's ``predict``; with ``test_cfg['flip_test']`` the backbone runs once.

        Args:
            inputs: (N, C, H, W) images.
            data_samples: N data samples with the crops' metainfo.
        """
        if not self.test_cfg.get('flip_test', False):
            return super().predict(inputs, data_samples)
        if not self.with_head:
            raise ValueError('TopdownPoseEstimator.predict needs a head')
        num = inputs.shape[0]
        feats = self.extract_feat(torch.cat((inputs, inputs.flip(-1))))  # (2N, ...) maps
        halves = [tuple(f[:num] for f in feats), tuple(f[num:] for f in feats)]
        preds = self.head.predict(halves, data_samples, test_cfg=self.test_cfg)
        instances, fields = preds if isinstance(preds, tuple) else (preds, None)
        return self.add_pred_to_datasample(instances, fields, data_samples)
