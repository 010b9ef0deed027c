"""``python -m hrnet_plugin.synthetic``: generates the synthetic COCO dataset, or with
``--videos N`` synthetic PoseTrack18 videos, and prints the result."""
import argparse
import json
from typing import Optional, Sequence

from .coco import generate_synthetic_coco
from .video import generate_synthetic_videos


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Command-line entry: generates the dataset and prints the result as JSON."""
    parser = argparse.ArgumentParser(
        prog='python -m hrnet_plugin.synthetic',
        description='Generate a synthetic COCO person-keypoint dataset (counts are images), '
        'or with --videos synthetic PoseTrack18 videos of people walking.')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument('--num-train', type=int, default=2000, help='training images')
    parser.add_argument('--num-val', type=int, default=200, help='validation images')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--width', type=int, default=256)
    parser.add_argument('--height', type=int, default=256)
    parser.add_argument('--max-figures', type=int, default=4,
                        help='most figures per image (per video with --videos)')
    parser.add_argument('--videos', type=int, metavar='N',
                        help='generate N PoseTrack18 videos instead (val split only)')
    parser.add_argument('--num-frames', type=int, default=24, help='frames per video')
    args = parser.parse_args(argv)
    if args.videos is not None:
        print(json.dumps(generate_synthetic_videos(
            args.out_dir, num_videos=args.videos, num_frames=args.num_frames,
            image_size=(args.width, args.height), seed=args.seed,
            max_persons=args.max_figures), indent=2))
        return
    info = generate_synthetic_coco(
        args.out_dir, num_train=args.num_train, num_val=args.num_val,
        image_size=(args.width, args.height), seed=args.seed, max_figures=args.max_figures)
    print(json.dumps(info, indent=2))


if __name__ == '__main__':
    main()
