# HRNet-W48, 384x288 input (paper: 76.3 AP on COCO val2017, mmpose: 76.7).
_base_ = ['./td-hm_hrnet-w48_8xb32-210e_coco-256x192.py']
from hrnet_plugin.datasets import codec_settings

# Heatmaps at 1/4 of the input; sigma 3 heatmap pixels, HRNet's value at this size.
codec = dict(_base_.codec, input_size=(288, 384), heatmap_size=(72, 96), sigma=3)
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
