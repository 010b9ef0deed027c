# HRNet-W32, 256x192 input, COCO, 8 GPUs x 64 images, 210 epochs (paper: 74.4 AP on val2017,
# mmpose: 74.6).
_base_ = ['../_base_/models/hrnet-w32.py', '../_base_/dataloaders/coco.py',
          '../_base_/schedules/adam-210e.py']
from hrnet_plugin.datasets import codec_settings

# Heatmaps at 1/4 of the input; sigma 2 heatmap pixels (HRNet's value at this size).
codec = dict(
    type='hrnet_plugin.MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
