# HRNet-W32, 256x256 input, MPII, 8 GPUs x 64 images, 210 epochs (PCKh@0.5 on val: 90.3 in the
# original repository, 90.0 in mmpose).
_base_ = ['../_base_/models/hrnet-w32.py', '../_base_/dataloaders/mpii.py',
          '../_base_/schedules/adam-210e.py']
from hrnet_plugin.datasets import codec_settings

# Heatmaps at 1/4 of the input; sigma 2 heatmap pixels (HRNet's value at this size).
codec = dict(
    type='hrnet_plugin.MSRAHeatmap', input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
