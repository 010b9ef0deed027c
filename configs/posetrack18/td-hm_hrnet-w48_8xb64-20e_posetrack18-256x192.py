# HRNet-W48, 256x192 input, PoseTrack18, from mmpose's COCO W48 model (mmpose: 84.6 mAP).
_base_ = ['./td-hm_hrnet-w32_8xb64-20e_posetrack18-256x192.py', '../_base_/models/hrnet-w48.py']
# W48's widths, not its ImageNet initialisation: every weight comes from the COCO model.
model = dict(backbone=dict(extra=_base_.hrnet_w48.backbone.extra), head=_base_.hrnet_w48.head)
load_from = ('https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/topdown_heatmap/coco/'
             'td-hm_hrnet-w48_8xb32-210e_coco-256x192-0e67c616_20220913.pth')
