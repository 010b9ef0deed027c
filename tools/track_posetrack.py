"""Multi-person pose estimation and tracking on the PoseTrack18 validation videos, scored with
mAP and MOTA together (poseval's protocol), as the paper reports PoseTrack.

Every video of ``DATA_ROOT/annotations/val`` runs through the top-down model frame by frame with
the dataset's person detections (``--bboxes``, default
``annotations/posetrack18_val_human_detections.json``) or an mmdet detector, its persons are
tracked (greedy OKS matching, optionally optical flow), the results are written in PoseTrack18
format to ``OUT_DIR/results`` and scored against the ground truth. See docs/posetrack.md.

    python tools/track_posetrack.py CONFIG CHECKPOINT --data-root data/posetrack18
        [--bboxes DETS.json | --det-config C --det-checkpoint W] [--out-dir DIR] [--flow]
"""
import argparse
import functools
import logging
import sys
from pathlib import Path
from typing import List, Optional

DEFAULT_BBOXES = 'annotations/posetrack18_val_human_detections.json'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='pose model config file')
    parser.add_argument('checkpoint', help='pose model checkpoint (local file)')
    parser.add_argument('--data-root', required=True, help='PoseTrack18 folder')
    parser.add_argument('--ann-dir', default='annotations/val',
                        help='per-video ground truth, relative to --data-root')
    parser.add_argument('--bboxes', help=f'person detections (COCO results by image id); '
                        f'default: DATA_ROOT/{DEFAULT_BBOXES} unless a detector is given')
    parser.add_argument('--det-config', help='mmdet detector config (needs --det-checkpoint)')
    parser.add_argument('--det-checkpoint', help='mmdet detector checkpoint (local file)')
    parser.add_argument('--bbox-thr', type=float, default=0.4,
                        help='minimum person box score (mmpose uses 0.4 on PoseTrack18)')
    parser.add_argument('--out-dir', default='work_dirs/posetrack18_tracking')
    parser.add_argument('--json', help='write the scores here (default: OUT_DIR/scores.json)')
    parser.add_argument('--device', default='cpu', help="'cpu', 'cuda' or 'cuda:N'")
    parser.add_argument('--batch-size', type=int, default=32, help='person crops per pass')
    parser.add_argument('--track-oks-thr', type=float, default=0.3,
                        help='least OKS with which a pose continues a track')
    parser.add_argument('--track-max-age', type=int, default=5,
                        help='frames a track may go unmatched and still continue')
    parser.add_argument('--flow', action='store_true',
                        help='optical flow: move tracks and recover missed persons')
    args = parser.parse_args(argv)
    for name in ('bbox_thr', 'track_oks_thr'):
        if not 0 <= getattr(args, name) <= 1:
            parser.error(f'--{name.replace("_", "-")} must be in [0, 1], got {getattr(args, name)}')
    if args.bboxes and (args.det_config or args.det_checkpoint):
        parser.error('give either --det-config/--det-checkpoint or --bboxes, not both')
    if bool(args.det_config) != bool(args.det_checkpoint):
        parser.error('--det-config and --det-checkpoint must be given together')
    if not args.det_config and not args.bboxes:
        args.bboxes = str(Path(args.data_root) / DEFAULT_BBOXES)
    return args


def track(args: argparse.Namespace) -> None:
    """Estimate, track and score every validation video; print the report."""
    from hrnet_plugin import apis
    from hrnet_plugin.evaluation import report_posetrack18

    pose_model = apis.init_pose_model(args.config, args.checkpoint, device=args.device)
    detector = (apis.init_detector(args.det_config, args.det_checkpoint, device=args.device)
                if args.det_config else None)
    pipeline = apis.TopDownPipeline(pose_model, detector, bbox_thr=args.bbox_thr,
                                    batch_size=args.batch_size)
    make_tracker = functools.partial(
        apis.PoseTracker, pose_model.dataset_meta['sigmas'], oks_thr=args.track_oks_thr,
        max_age=args.track_max_age, flow=args.flow)
    results = apis.track_posetrack18(pipeline, args.data_root, args.out_dir, make_tracker,
                                     detections=args.bboxes, ann_dir=args.ann_dir)
    json_path = args.json or str(Path(args.out_dir) / 'scores.json')
    print(report_posetrack18(results, json_path))
    print(f'results: {results["results_dir"]}, scores: {json_path}')


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format='%(levelname)s: %(message)s')
    # Imported after argument parsing: mmpose/mmdet take seconds to import.
    from hrnet_plugin.utils import run_tool

    return run_tool('track_posetrack.py', track, args)


if __name__ == '__main__':
    sys.exit(main())
