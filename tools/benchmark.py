"""Speed of the plugin side by side with mmpose, on the same weights and inputs.

    python tools/benchmark.py CONFIG [--checkpoint C] [--device cpu|cuda] [--batch-size N]
        [--precision fp32|bf16|fp16] [--compare-mmpose] [--json OUT] [--repeats R]
        [--rows model,codec,pipeline,e2e,train,onnx | none]
        [--backends pytorch,onnxruntime,openvino --precisions fp32,bf16,int8 [--val-ap]]

The work is done by ``hrnet_plugin.benchmark.run_benchmark``. Rows (each a median over R
repeats after one warm-up call; with ``--compare-mmpose`` ours and mmpose's are called in
turns, A B A B, in this process, so machine noise hits both alike):

* forward_b1 / forward_bN: ``model(inputs, mode='tensor')``; ours = the config's model (as
  ``hrnet_plugin.TopdownPoseEstimator``) passed through ``optimize_for_inference(precision)``
  (BatchNorm folding, channels_last, autocast);
  mmpose = mmpose's own ``HRNet``/``HeatmapHead`` in float32, loaded with the same weights.
* flip_bN: ``test_step`` with flip test: ours one backbone pass over 2N images
  (``hrnet_plugin.TopdownPoseEstimator``, optimised), mmpose two passes of N.
* decode64_{msra,dark,udp}: heatmaps of 64 instances; ours ``batch_decode`` on one tensor,
  mmpose's codec ``decode`` called per instance (what mmpose's heads do without batch support).
* encode_{msra,dark,udp}: target generation per instance, on the COCO sample annotations.
* pipeline: the config's train pipeline over the COCO samples, with our codec vs mmpose's.
* e2e: top-down pose estimation over the COCO sample images with the detections json
  (score >= 0.3), ours ``hrnet_plugin.apis.estimate_poses`` (crops of all images batched) vs
  ``mmpose.apis.inference_topdown`` image by image, per image.
* train_bN: ``train_step`` (forward, backward, optimiser step) of the config's optimiser;
  ours ``channels_last`` (+ bfloat16 autocast with ``--precision bf16``), mmpose float32.
* onnx_b1 / onnx_bN: onnxruntime (CPU) on the exported float32 graph vs our PyTorch model
  optimised in float32 (always on CPU).
* <backend>_<precision>_model / _e2e (``--backends``, ``--precisions``): our model built by
  ``init_pose_model(backend=, precision=)`` against mmpose's PyTorch float32, all of them timed
  in one interleaved group: ``test_step`` with flip test on the batch of crops (per crop), and
  ``estimate_poses`` on the sample images with their detections vs
  ``mmpose.apis.inference_topdown`` (per image); agreement: max and median keypoint difference
  to our PyTorch float32 model; ``--val-ap``: COCO AP on the config's validation set. int8 is
  calibrated on the config's training persons, or the COCO samples where those are absent. A
  combination that does not exist or that this CPU lacks the instructions for (bf16 without
  AVX512-BF16/AMX) gets a row saying so.

Agreement columns: keypoint rows give the max keypoint difference in pixels (crop pixels for
model rows, image pixels for flip/e2e) and the share of keypoints within 1 px; target rows
the max heatmap difference; ONNX rows the max error relative to the heatmap range.

Without ``--checkpoint`` the weights are random: seeded He-normal convolutions with BatchNorm
statistics calibrated on the sample crops (so activations keep a realistic scale). Random
heatmaps have no clear maximum, so their keypoint agreement is a worst case; reduced precision
is accurate on a trained model's peaked heatmaps.
"""
import argparse
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from hrnet_plugin.benchmark import ROW_GROUPS, run_benchmark
from hrnet_plugin.deploy import BACKENDS, MAX_CALIBRATION_CROPS

DATA_ROOT = Path(__file__).resolve().parents[1].parent / 'shared' / 'data' / 'coco'


def names(allowed: Sequence[str], nothing: Optional[str] = None):
    """argparse type: comma-separated names from ``allowed`` (or ``nothing``: none)."""
    def parse(text: str) -> Tuple[str, ...]:
        if text == nothing:
            return ()
        chosen = tuple(text.split(','))
        unknown = [name for name in chosen if name not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f'unknown {unknown}; choose from {list(allowed)}')
        return chosen
    return parse


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='weights; default: calibrated random weights')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--precision', default='fp32', choices=['fp32', 'bf16', 'fp16'])
    parser.add_argument('--compare-mmpose', action='store_true',
                        help="time mmpose's modules on the same weights and inputs")
    parser.add_argument('--json', help='write the report here')
    parser.add_argument('--repeats', type=int, default=3, help='timed calls per row')
    parser.add_argument('--threads', type=int, help='torch threads (default: torch default)')
    parser.add_argument('--data-root', type=Path, default=DATA_ROOT,
                        help='folder with the COCO samples (test_coco.json, images, detections)')
    parser.add_argument('--rows', type=names(ROW_GROUPS, 'none'), default=ROW_GROUPS,
                        help=f"row groups, comma-separated: {','.join(ROW_GROUPS)}, or none")
    parser.add_argument('--backends', type=names(BACKENDS), default=(),
                        help=f"backend rows, comma-separated: {','.join(BACKENDS)}")
    parser.add_argument('--precisions', type=names(('fp32', 'bf16', 'fp16', 'int8')),
                        default=('fp32', ), help='precisions of the backend rows')
    parser.add_argument('--val-ap', action='store_true',
                        help="COCO AP of each backend row on the config's validation set")
    parser.add_argument('--calibration-size', type=int, default=MAX_CALIBRATION_CROPS,
                        help='int8 calibration crops')
    args = parser.parse_args(argv)
    if args.precision == 'fp16' and args.device != 'cuda':
        parser.error("--precision fp16 needs --device cuda; on CPU use bf16")
    if args.batch_size < 1 or args.repeats < 1:
        parser.error('--batch-size and --repeats must be >= 1')
    return args


def main(argv: Optional[List[str]] = None) -> dict:
    """Run the benchmark; returns the report (also printed, and written with --json)."""
    args = parse_args(argv)
    return run_benchmark(args.config, args.data_root, checkpoint=args.checkpoint,
                         device=args.device, batch_size=args.batch_size,
                         precision=args.precision, compare_mmpose=args.compare_mmpose,
                         repeats=args.repeats, threads=args.threads, json_path=args.json,
                         groups=args.rows, backends=args.backends, precisions=args.precisions,
                         val_ap=args.val_ap, calibration_size=args.calibration_size)


if __name__ == '__main__':
    main()
