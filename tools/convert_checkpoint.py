"""Convert an original HRNet checkpoint (leoxiaobin/deep-high-resolution-net.pytorch) into the
mmpose layout used by the plugin's configs, whatever its architecture (read from its keys).

    python tools/convert_checkpoint.py pose_hrnet_w32_256x192.pth hrnet_w32_coco_256x192.pth
    python tools/convert_checkpoint.py output/.../checkpoint.pth converted.pth --use-best
"""
import argparse
import io
import sys
from typing import List, Optional

import torch

from hrnet_plugin.checkpoint import convert_original_hrnet, read_checkpoint
from hrnet_plugin.checkpoint.original_hrnet import describe_architecture
from hrnet_plugin.models.backbones import hrnet_extra
from hrnet_plugin.utils import atomic_write_bytes


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='original checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint in mmpose layout (.pth)')
    parser.add_argument('--use-best', action='store_true',
                        help="take 'best_state_dict' of a training checkpoint.pth")
    args = parser.parse_args(argv)
    try:
        converted = convert_original_hrnet(read_checkpoint(args.src), use_best=args.use_best)
    except (OSError, ValueError) as error:
        print(f'convert_checkpoint.py: {args.src}: {error}', file=sys.stderr)
        return 1
    buffer = io.BytesIO()
    torch.save(converted, buffer)
    atomic_write_bytes(args.dst, buffer.getvalue())
    meta = converted['meta']
    extra, width = meta['extra'], meta['extra']['stage4']['num_channels'][0]
    preset = f' (= hrnet_extra({width}))' if extra == hrnet_extra(width) else ''
    print(f"{args.src} -> {args.dst}: HRNet {describe_architecture(extra)}{preset}, "
          f"{meta['num_keypoints']} keypoints, {len(converted['state_dict'])} tensors\n"
          f"config: model.backbone.extra={extra}, model.head.in_channels={width}, "
          f"model.head.out_channels={meta['num_keypoints']}, "
          f"model.head.final_layer={meta['final_layer']}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
