"""Export a top-down heatmap model (backbone + head) to ONNX and check it with onnxruntime.

    python tools/export_onnx.py CONFIG CHECKPOINT OUT.onnx [--batch dynamic|N] [--flip] [--opset N]

The graph maps normalised images (N, 3, H, W) to heatmaps (N, K, H/4, W/4); with ``--flip``
it runs the one-pass flip test (images and their mirror images in one batch, the mirrored
heatmaps mapped back and averaged) as configured in ``test_cfg``. BatchNorms are folded
before export. The exported model is run with onnxruntime (CPU) and its heatmaps must match
the unmodified PyTorch model within 1e-4 of the heatmap value range; the script exits with
status 1 otherwise. Decoding (argmax, DARK/UDP refinement) stays outside the graph: use the
codec's ``batch_decode`` on the heatmaps.
"""
import argparse
import json
import sys
from typing import List, Optional

import torch
from mmpose.apis import init_model

import hrnet_plugin  # noqa: F401  (registers the plugin; allowlists checkpoint types)
from hrnet_plugin.apis.fast_inference import (
    export_onnx,
    heatmap_model,
    onnx_session,
    optimize_for_inference,
    relative_max_error,
    time_interleaved,
)

TOLERANCE = 1e-4  # max |onnx - torch| / heatmap value range
# Batch used to trace a dynamic-batch export; the check then runs another batch size, so a
# batch size frozen into the graph would fail it.
TRACE_BATCH, CHECK_BATCH = 2, 3


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
    width, height = model.head.decoder.input_size
    dynamic = args.batch == 'dynamic'
    trace_batch = TRACE_BATCH if dynamic else int(args.batch)
    check_batch = CHECK_BATCH if dynamic else int(args.batch)
    gen = torch.Generator().manual_seed(0)
    inputs = torch.randn(check_batch, 3, height, width, generator=gen)

    with torch.no_grad():
        expected = heatmap_model(model, args.flip)(inputs)   # the unmodified model
    optimize_for_inference(model, precision='fp32', fuse_bn=True, channels_last=False)
    net = heatmap_model(model, args.flip)
    export_onnx(net, args.out, torch.randn(trace_batch, 3, height, width, generator=gen),
                dynamic_batch=dynamic, opset=args.opset)

    session = onnx_session(args.out)
    feed = {'input': inputs.numpy()}
    got = torch.from_numpy(session.run(None, feed)[0])
    error = relative_max_error(got, expected)
    with torch.no_grad():
        times, _ = time_interleaved({'pytorch': lambda: net(inputs),
                                     'onnxruntime': lambda: session.run(None, feed)},
                                    repeats=args.repeats)
    report = dict(onnx=args.out, batch=args.batch, flip=args.flip, opset=args.opset,
                  heatmap_shape=list(got.shape), max_error_relative_to_range=error,
                  tolerance=TOLERANCE, latency_s=dict(times),
                  latency_batch=check_batch)
    print(json.dumps(report, indent=1))
    print(f'batch {check_batch}: PyTorch {times["pytorch"] * 1e3:.1f} ms, onnxruntime '
          f'{times["onnxruntime"] * 1e3:.1f} ms; max error {error:.1e} of the heatmap range')
    if not error <= TOLERANCE:
        print(f'onnxruntime heatmaps differ from PyTorch by {error:.2e} of their range '
              f'(> {TOLERANCE})', file=sys.stderr)
        sys.exit(1)
    return report


if __name__ == '__main__':
    main()
