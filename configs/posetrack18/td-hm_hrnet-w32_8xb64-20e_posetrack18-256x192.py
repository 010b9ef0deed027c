# HRNet-W32, 256x192 input, PoseTrack18: 20 epochs fine-tuning mmpose's COCO model of the same
# architecture and input size (mmpose: 83.4 mAP on val with ground-truth boxes).
_base_ = ['../_base_/models/hrnet-w32.py', '../_base_/dataloaders/posetrack18.py',
          '../_base_/schedules/adam-20e.py']
from hrnet_plugin.datasets import codec_settings

# Heatmaps at 1/4 of the input; sigma 2 heatmap pixels (HRNet's value at this size).
codec = dict(
    type='hrnet_plugin.MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
# Every weight comes from the COCO model: no ImageNet download. Offline, download the file and
# set `load_from` to the local path (`--cfg-options load_from=...`).
model['backbone'] = dict(init_cfg=None)
load_from = ('https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/topdown_heatmap/coco/'
             'td-hm_hrnet-w32_8xb64-210e_coco-256x192-81c58e40_20220909.pth')
