"""tools/convert_checkpoint.py: original HRNet checkpoints -> mmpose layout."""
import subprocess
import sys
from collections import OrderedDict

import pytest
import torch
import torchvision

from hrnet_plugin.checkpoint import convert_original_hrnet
from hrnet_plugin.models import HeatmapHead, HRNet
from hrnet_plugin.models.backbones import hrnet_extra


def original_weights(width: int = 32, num_keypoints: int = 17, seed: int = 0) -> OrderedDict:
    """Weights named as the original ``PoseHighResolutionNet`` (final_layer inside the net)."""
    torch.manual_seed(seed)
    weights = OrderedDict(HRNet(hrnet_extra(width)).state_dict())
    final = torch.nn.Conv2d(width, num_keypoints, 1)
    weights['final_layer.weight'] = final.weight.detach()
    weights['final_layer.bias'] = final.bias.detach()
    return weights


def load_converted(converted: dict, width: int, num_keypoints: int):
    backbone, head = HRNet(hrnet_extra(width)), HeatmapHead(width, num_keypoints,
                                                            deconv_out_channels=None)
    model = torch.nn.ModuleDict(dict(backbone=backbone, head=head))
    model.load_state_dict(converted['state_dict'], strict=True)
    return model


def test_plain_state_dict_converts_and_loads_strictly():
    weights = original_weights(32)
    converted = convert_original_hrnet(weights)
    model = load_converted(converted, 32, 17)
    assert torch.equal(model['head'].final_layer.weight, weights['final_layer.weight'])
    assert torch.equal(model['backbone'].stage4[2].fuse_layers[0][3][0].weight,
                       weights['stage4.2.fuse_layers.0.3.0.weight'])
    assert converted['meta']['arch'] == 'hrnet_w32'


def test_training_checkpoint_with_module_prefix_and_best():
    latest, best = original_weights(48, 16, seed=1), original_weights(48, 16, seed=2)
    checkpoint = dict(epoch=140, model='pose_hrnet', perf=0.9,
                      state_dict=OrderedDict((f'module.{k}', v) for k, v in latest.items()),
                      best_state_dict=best)
    model = load_converted(convert_original_hrnet(checkpoint), 48, 16)
    assert torch.equal(model['backbone'].conv1.weight, latest['conv1.weight'])
    model = load_converted(convert_original_hrnet(checkpoint, use_best=True), 48, 16)
    assert torch.equal(model['backbone'].conv1.weight, best['conv1.weight'])


def test_refuses_other_networks_listing_keys():
    with pytest.raises(ValueError, match="missing key 'transition1.0.0.weight'"):
        convert_original_hrnet(torchvision.models.resnet18().state_dict())
    weights = original_weights(32)
    weights['extra_head.weight'] = torch.zeros(1)
    del weights['stage3.0.branches.0.0.conv1.weight']
    weights['stage4.0.branches.0.0.conv1.weight'] = torch.zeros(1, 1, 3, 3)
    with pytest.raises(ValueError) as error:
        convert_original_hrnet(weights)
    message = str(error.value)
    assert "missing (1): ['backbone.stage3.0.branches.0.0.conv1.weight']" in message
    assert "unexpected (1): ['backbone.extra_head.weight']" in message
    assert "wrong shape (1): ['backbone.stage4.0.branches.0.0.conv1.weight']" in message


def test_cli_round_trip(tmp_path, repo_root):
    src, dst = tmp_path / 'pose_hrnet_w32_256x192.pth', tmp_path / 'converted.pth'
    torch.save(original_weights(32), src)
    run = subprocess.run([sys.executable, 'tools/convert_checkpoint.py', str(src), str(dst)],
                         cwd=repo_root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert 'hrnet_w32, 17 keypoints' in run.stdout
    load_converted(torch.load(dst, weights_only=True), 32, 17)
    torch.save(torchvision.models.resnet18().state_dict(), src)
    run = subprocess.run([sys.executable, 'tools/convert_checkpoint.py', str(src), str(dst)],
                         cwd=repo_root, capture_output=True, text=True)
    assert run.returncode == 1 and 'not an original HRNet pose checkpoint' in run.stderr
