"""mmengine's multiply-add count on a model small enough to count by hand: convolutions
C_in / groups * kh * kw per output element, eval-mode BatchNorm 2 per element, nearest
upsampling 1 per output element (what HRNet's 7.685 G holds beyond its 7.645 G of
convolutions)."""
import torch
import torch.nn as nn

from hrnet_plugin.benchmark import model_complexity


def test_multiply_adds_hand_computed():
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),                       # 4 x 8 x 8 outputs, 3 * 9 each
        nn.BatchNorm2d(4),                                   # 256 elements
        nn.Conv2d(4, 6, 3, padding=1, groups=2, bias=False),  # 6 x 8 x 8 outputs, 2 * 9 each
        nn.Upsample(scale_factor=2, mode='nearest'),         # 6 x 16 x 16 outputs
    ).eval()
    got = model_complexity(net, torch.zeros(2, 3, 8, 8))
    conv = 4 * 64 * 27 + 6 * 64 * 18
    assert got == dict(params=(4 * 27 + 4) + 2 * 4 + 6 * 2 * 9,
                       conv_macs_per_image=conv,
                       mmengine_flops_per_image=conv + 2 * 256 + 6 * 256,
                       input_shape=[3, 8, 8])
