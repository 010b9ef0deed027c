"""Score PoseTrack18 result files against the ground truth, as poseval does: per-frame mAP and
multi-person pose tracking MOTA, MOTP, precision and recall.

GT_DIR holds one PoseTrack18 json per video; PRED_DIR one result file per video, named like the
ground truth, with the same frames in the same order (paired by position in ``images``), every
person with an integer ``track_id`` (unique in its frame), 17 keypoints and their ``scores``.
Prints poseval's tables and the per-joint values; ``--json`` writes them. See docs/posetrack.md.

    python tools/eval_posetrack.py GT_DIR PRED_DIR [--json OUT.json]
"""
import argparse
import sys
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('gt_dir', help='folder of per-video PoseTrack18 ground-truth jsons')
    parser.add_argument('pred_dir', help='folder of per-video result files, named alike')
    parser.add_argument('--json', help='write mAP, MOTA, MOTP, Precision, Recall (percent) and '
                        'the per-joint values to this file')
    return parser.parse_args(argv)


def evaluate(args: argparse.Namespace) -> None:
    """Score the result files and print the report."""
    from hrnet_plugin.evaluation import evaluate_posetrack18_results, report_posetrack18

    print(report_posetrack18(evaluate_posetrack18_results(args.gt_dir, args.pred_dir),
                             args.json))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    # Imported after argument parsing: the evaluation imports mmpose (seconds).
    from hrnet_plugin.utils import run_tool

    return run_tool('eval_posetrack.py', evaluate, args)


if __name__ == '__main__':
    sys.exit(main())
