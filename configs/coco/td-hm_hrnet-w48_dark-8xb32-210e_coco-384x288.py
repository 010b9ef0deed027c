# HRNet-W48 384x288 with DARK heatmaps (mmpose: 77.2 AP on COCO val2017).
# DARK (Zhang et al., "Distribution-Aware Coordinate Representation for Human Pose
# Estimation", CVPR 2020): unbiased Gaussian targets centred at the sub-pixel keypoint and
# Taylor-expansion refinement of the decoded maximum.
_base_ = ['./td-hm_hrnet-w48_8xb32-210e_coco-384x288.py']
from hrnet_plugin.datasets import codec_settings

codec = dict(_base_.codec, unbiased=True)
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
