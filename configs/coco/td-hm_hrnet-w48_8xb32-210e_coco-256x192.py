# HRNet-W48, 256x192 input, 8 GPUs x 32 images (paper: 75.1 AP on COCO val2017, mmpose: 75.6):
# the W32 config with W48's widths and ImageNet weights.
_base_ = ['./td-hm_hrnet-w32_8xb64-210e_coco-256x192.py', '../_base_/models/hrnet-w48.py']
model = _base_.hrnet_w48
train_dataloader = dict(batch_size=32)  # as mmpose trained it
