# HRNet-W48, 384x288 input, PoseTrack18, fine-tuned from mmpose's COCO W48 384x288 model
# (mmpose: 84.6 mAP).
_base_ = ['./td-hm_hrnet-w48_8xb64-20e_posetrack18-256x192.py']
from hrnet_plugin.datasets import codec_settings

# Heatmaps at 1/4 of the input; sigma 3 heatmap pixels, HRNet's value at this size.
codec = dict(_base_.codec, input_size=(288, 384), heatmap_size=(72, 96), sigma=3)
model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)
load_from = ('https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/topdown_heatmap/coco/'
             'td-hm_hrnet-w48_8xb32-210e_coco-384x288-c161b7de_20220915.pth')
