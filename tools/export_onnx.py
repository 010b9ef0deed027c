"""Export a top-down heatmap model (backbone + head) to ONNX and check it with onnxruntime.

    python tools/export_onnx.py CONFIG CHECKPOINT OUT.onnx [--batch dynamic|N] [--flip] [--opset N]

The graph maps normalised images (N, 3, H, W) to heatmaps (N, K, H/4, W/4); with ``--flip``
it runs the one-pass flip test (images and their mirror images in one batch, the mirrored
heatmaps mapped back and averaged) as configured in ``test_cfg``. BatchNorms are folded
before export. The exported model is run with onnxruntime (CPU) and its heatmaps must match
the unmodified PyTorch model within 1e-4 of the heatmap value range; the script exits with
status 1 otherwise. Decoding (argmax, DARK/UDP refinement) stays outside the graph: use the
codec's ``batch_decode`` on the heatmaps. Export and check: ``hrnet_plugin.deploy``.
"""
import argparse
import json
import sys
from typing import List, Optional

import torch
from mmpose.apis import init_model

from hrnet_plugin.benchmark import time_interleaved
from hrnet_plugin.deploy import export_and_check

TOLERANCE = 1e-4  # max |onnx - torch| / heatmap value range


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('out', help='output .onnx file')
    parser.add_argument('--batch', default='dynamic',
                        help="'dynamic' (symbolic batch dimension) or a fixed batch size")
    parser.add_argument('--flip', action='store_true', help='export the flip-test average')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--repeats', type=int, default=10, help='latency repeats')
    args = parser.parse_args(argv)
    if args.batch != 'dynamic' and not (args.batch.isdigit() and int(args.batch) > 0):
        parser.error(f"--batch must be 'dynamic' or a positive integer, got {args.batch!r}")
    return args


def main(argv: Optional[List[str]] = None) -> dict:
    """Export, check and time; returns the report (also printed as json)."""
    args = parse_args(argv)
    model = init_model(args.config, args.checkpoint, device='cpu')
    check = export_and_check(model, args.out, flip=args.flip, opset=args.opset,
                             batch=None if args.batch == 'dynamic' else int(args.batch))
    with torch.no_grad():
        times, _ = time_interleaved({'pytorch': lambda: check.net(check.inputs),
                                     'onnxruntime': lambda: check.session(check.inputs)},
                                    repeats=args.repeats)
    error, batch = check.error, len(check.inputs)
    report = dict(onnx=args.out, batch=args.batch, flip=args.flip, opset=args.opset,
                  heatmap_shape=list(check.heatmaps.shape), max_error_relative_to_range=error,
                  tolerance=TOLERANCE, latency_s=dict(times), latency_batch=batch)
    print(json.dumps(report, indent=1))
    print(f'batch {batch}: PyTorch {times["pytorch"] * 1e3:.1f} ms, onnxruntime '
          f'{times["onnxruntime"] * 1e3:.1f} ms; max error {error:.1e} of the heatmap range')
    if not error <= TOLERANCE:
        print(f'onnxruntime heatmaps differ from PyTorch by {error:.2e} of their range '
              f'(> {TOLERANCE})', file=sys.stderr)
        sys.exit(1)
    return report


if __name__ == '__main__':
    main()
