"""Seeded random weights: reproducible, He-normal, BatchNorm statistics of the calibration
batch, and eval-mode BatchNorm then normalises that batch."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from hrnet_plugin.benchmark import randomize_weights_


def _net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.BatchNorm2d(64, momentum=0.03),
                         nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1, bias=False),
                         nn.BatchNorm2d(64))


def _batch() -> torch.Tensor:
    return 5 + 3 * torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(0))


def test_seeded_and_leaves_the_global_generator_alone():
    x = _batch()
    nets = [_net() for _ in range(3)]
    state = torch.get_rng_state()
    for net, seed in zip(nets, (1, 1, 2), strict=True):
        randomize_weights_(net, seed, lambda n=net: n(x))
    assert torch.equal(torch.get_rng_state(), state)
    same, other = nets[0].state_dict(), nets[2].state_dict()
    assert all(torch.equal(same[k], v) for k, v in nets[1].state_dict().items())
    assert not torch.equal(same['3.weight'], other['3.weight'])


def test_he_normal_convolutions_and_calibrated_statistics():
    x = _batch()
    net = _net()
    randomize_weights_(net, 0, lambda: net(x))
    assert not net.training
    assert [net[1].momentum, net[4].momentum] == [0.03, 0.1]   # restored
    # He-normal: standard deviation sqrt(2 / (64 * 3 * 3)) over 36,864 weights.
    assert abs(float(net[3].weight.std()) / (2 / 576) ** 0.5 - 1) < 0.02
    # The statistics are those of the calibration batch (the variance unbiased, as torch's),
    # which the first BatchNorm normalised with its batch statistics.
    with torch.no_grad():
        first = net[0](x)
        normalised = F.batch_norm(first, None, None, net[1].weight, net[1].bias, training=True,
                                  eps=net[1].eps)
        second = net[3](net[2](normalised))
        for norm, feature in ((net[1], first), (net[4], second)):
            torch.testing.assert_close(norm.running_mean, feature.mean((0, 2, 3)))
            torch.testing.assert_close(norm.running_var, feature.var((0, 2, 3), unbiased=True))
            # so eval-mode BatchNorm gives that batch each channel's mean = the BN bias
            torch.testing.assert_close(norm(feature).mean((0, 2, 3)), norm.bias,
                                       atol=1e-5, rtol=0)
