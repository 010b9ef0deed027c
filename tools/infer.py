"""Top-down pose estimation on an image, a folder of images or a video.

Persons come from an mmdet detector (``--det-config/--det-checkpoint``), from a COCO
detection-results json (``--bboxes``), or else each whole image is one person. Writes to
``--out-dir``: ``predictions.json`` (COCO keypoint results), and unless ``--no-vis`` the
images drawn under their own names, or ``<video stem>.mp4``; ``--format jsonl`` streams one json
line per frame instead (or as well), ``--format posetrack`` writes a tracked sequence as a
PoseTrack18 result file. The persons of a video (or of a folder of frames with ``--track``) are
tracked (greedy OKS matching, optionally with optical flow). See docs/inference.md.

    python tools/infer.py POSE_CONFIG POSE_CHECKPOINT --input PATH
        [--det-config C --det-checkpoint W | --bboxes FILE.json] [--out-dir DIR] [--track]
    python tools/infer.py td-hm_hrnet-w32_8xb64-210e_coco-256x192 --input PATH

A published model's name (configs/README.md) stands for its config and weights; checkpoints
may be URLs (downloaded once into the cache, verified against the hash in their name).
"""
import argparse
import logging
import sys
from typing import List, Optional


def threshold(text: str) -> float:
    """argparse type: a float in [0, 1]."""
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f'must be in [0, 1], got {value}')
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {value}')
    return value


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('pose_config', help='pose model config file, or the name of a published '
                        'model (configs/README.md)')
    parser.add_argument('pose_checkpoint', nargs='?', help='pose model checkpoint: local file or '
                        "URL (default for a model name: its published weights)")
    parser.add_argument('--input', required=True,
                        help='an image, a folder of images, or a video file')
    parser.add_argument('--det-config', help='mmdet detector config (needs --det-checkpoint)')
    parser.add_argument('--det-checkpoint', help='mmdet detector checkpoint: local file or URL')
    parser.add_argument('--bboxes', help='COCO detection-results json: entries match images by '
                        'file_name, else by image_id = the number in the file name '
                        '(000000000785.jpg -> 785) or the video frame index')
    parser.add_argument('--out-dir', default='work_dirs/infer', help='output folder')
    parser.add_argument('--batch-size', type=positive_int, default=32,
                        help='person crops per pose-model forward pass')
    parser.add_argument('--device', default='cpu', help="'cpu', 'cuda' or 'cuda:N'")
    parser.add_argument('--backend', default='pytorch',
                        choices=['pytorch', 'onnxruntime', 'openvino'],
                        help='what runs the pose model (runtimes: exported once, cached; CPU)')
    parser.add_argument('--precision', default='fp32', choices=['fp32', 'bf16', 'int8', 'auto'],
                        help="pose model precision; int8: OpenVINO/onnxruntime, calibrated on "
                        "the config's val dataset; auto: bf16 where the CPU has it natively")
    parser.add_argument('--kpt-thr', type=threshold, default=0.3,
                        help='minimum score of a drawn keypoint')
    parser.add_argument('--bbox-thr', type=threshold, default=0.3,
                        help='minimum score of a person box (detector or --bboxes)')
    parser.add_argument('--nms-thr', type=threshold, default=0.3,
                        help='IoU above which overlapping detector boxes are suppressed')
    parser.add_argument('--det-cat-id', type=int, default=0,
                        help='detector label of persons (0 for COCO-trained detectors)')
    parser.add_argument('--format', nargs='+', default=['coco'], metavar='FORMAT',
                        help="prediction outputs: 'coco' (predictions.json, COCO keypoint "
                        "results), 'jsonl' (predictions.jsonl, one line per frame), "
                        "'posetrack' (<sequence>.json, PoseTrack18 result file of a tracked "
                        'sequence); several may be given')
    parser.add_argument('--no-vis', action='store_true', help='write predictions only')
    parser.add_argument('--resume', action='store_true',
                        help='continue the interrupted run in --out-dir (same input): frames '
                        'already in its predictions are not estimated again')
    track = parser.add_argument_group('tracking (videos, and folders with --track)')
    track.add_argument('--track', action='store_true',
                       help='track the persons of a folder of frames as one sequence '
                       '(frames in file-name order); videos are always tracked')
    track.add_argument('--track-oks-thr', type=threshold, default=0.3,
                       help='least OKS with which a pose continues a track')
    track.add_argument('--track-max-age', type=positive_int, default=5,
                       help='frames a track may go unmatched and still continue')
    track.add_argument('--flow', action='store_true',
                       help='optical flow: move tracks between frames and recover persons '
                       'the detector missed')
    args = parser.parse_args(argv)
    if args.bboxes and (args.det_config or args.det_checkpoint):
        parser.error('give either --det-config/--det-checkpoint or --bboxes, not both')
    if bool(args.det_config) != bool(args.det_checkpoint):
        parser.error('--det-config and --det-checkpoint must be given together')
    if args.pose_checkpoint is None and args.pose_config.endswith('.py'):
        parser.error('a config file needs POSE_CHECKPOINT (a model name brings its weights)')
    return args


def infer(args: argparse.Namespace) -> None:
    """Build the models and run them over the input; print the summary."""
    from hrnet_plugin import apis

    logging.getLogger('hrnet_plugin.deploy').setLevel(logging.INFO)  # what 'auto' picked
    pose_model = apis.init_pose_model(args.pose_config, args.pose_checkpoint, device=args.device,
                                      backend=args.backend, precision=args.precision)
    detector = (apis.init_detector(args.det_config, args.det_checkpoint, device=args.device)
                if args.det_config else None)
    pipeline = apis.TopDownPipeline(pose_model, detector, det_cat_id=args.det_cat_id,
                                    bbox_thr=args.bbox_thr, nms_thr=args.nms_thr,
                                    batch_size=args.batch_size)
    detections = apis.DetectionFile(args.bboxes) if args.bboxes else None
    tracker = apis.PoseTracker(pose_model.dataset_meta['sigmas'], oks_thr=args.track_oks_thr,
                               max_age=args.track_max_age, flow=args.flow)
    print(apis.run_topdown(pipeline, args.input, args.out_dir, detections, formats=args.format,
                           visualize=not args.no_vis, kpt_thr=args.kpt_thr,
                           track=args.track or None, tracker=tracker, resume=args.resume))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format='%(levelname)s: %(message)s')
    # Imported after argument parsing: mmpose/mmdet take seconds to import.
    from hrnet_plugin.utils import run_tool

    return run_tool('infer.py', infer, args)


if __name__ == '__main__':
    sys.exit(main())
