# HRNet-W48, 256x256 input, MPII (mmpose: 90.1 PCKh@0.5): the W32 config with W48's widths and
# ImageNet weights.
_base_ = ['./td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py', '../_base_/models/hrnet-w48.py']
model = _base_.hrnet_w48
