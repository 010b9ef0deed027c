# HRNet-W32 384x288 with UDP heatmaps (mmpose: 76.8 AP on COCO val2017).
# UDP (Huang et al., "The Devil is in the Details: Delving into Unbiased Data Processing for
# Human Pose Estimation", CVPR 2020): image and heatmap coordinates are related by
# (size - 1) ratios in the crop, the targets and the decoding, and the flip test needs no
# one-pixel shift.
_base_ = ['./td-hm_hrnet-w32_8xb64-210e_coco-384x288.py']
from hrnet_plugin.datasets import codec_settings

codec = dict(_base_.codec, type='hrnet_plugin.UDPHeatmap')
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
