"""Convert an original HRNet checkpoint (leoxiaobin/deep-high-resolution-net.pytorch) into the
mmpose layout used by the plugin's configs.

    python tools/convert_checkpoint.py pose_hrnet_w32_256x192.pth hrnet_w32_coco_256x192.pth
    python tools/convert_checkpoint.py output/.../checkpoint.pth converted.pth --use-best
"""
import argparse
import sys

import torch

from hrnet_plugin.checkpoint import convert_original_hrnet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='original checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint in mmpose layout (.pth)')
    parser.add_argument('--use-best', action='store_true',
                        help="take 'best_state_dict' of a training checkpoint.pth")
    args = parser.parse_args()
    # weights_only: the original checkpoints hold tensors, numbers and strings only.
    checkpoint = torch.load(args.src, map_location='cpu', weights_only=True)
    try:
        converted = convert_original_hrnet(checkpoint, use_best=args.use_best)
    except ValueError as error:
        print(f'{args.src}: {error}', file=sys.stderr)
        return 1
    torch.save(converted, args.dst)
    meta = converted['meta']
    print(f"{args.src} -> {args.dst}: {meta['arch']}, {meta['num_keypoints']} keypoints, "
          f"{len(converted['state_dict'])} tensors")
    return 0


if __name__ == '__main__':
    sys.exit(main())
