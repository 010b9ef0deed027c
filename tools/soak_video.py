"""Long run of tools/infer.py on a generated video, sampling its memory and speed.

Generates a video of --frames frames, runs tools/infer.py on it (the quickstart's small HRNet
with seeded random weights unless --config/--checkpoint are given; whole frames as persons;
the annotated video and the jsonl stream written), samples the process's resident memory and
the frames done every --interval seconds, and prints the RSS growth from frame --start-frame to
the end and the time per frame in windows of --window frames. See docs/reliability.md.

    python tools/soak_video.py --out-dir work_dirs/soak --frames 5000
"""
import argparse
import json
import sys
from pathlib import Path
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out-dir', type=Path, default=Path('work_dirs/soak'))
    parser.add_argument('--frames', type=int, default=5000, help='frames of the video')
    parser.add_argument('--config', help='pose config (default: the quickstart model)')
    parser.add_argument('--checkpoint', help='pose checkpoint (default: random weights)')
    parser.add_argument('--interval', type=float, default=0.5, help='seconds between samples')
    parser.add_argument('--start-frame', type=int, default=500,
                        help='frame from which the RSS growth is measured')
    parser.add_argument('--window', type=int, default=500, help='frames per timing window')
    args = parser.parse_args(argv)
    from hrnet_plugin.benchmark.soak import DEFAULT_CONFIG, soak_video

    report = soak_video(args.out_dir, args.frames, args.config or DEFAULT_CONFIG,
                        args.checkpoint, args.interval, args.start_frame, args.window)
    print(json.dumps({k: report[k] for k in ('returncode', 'num_frames', 'seconds', 'summary')},
                     indent=1))
    if report['returncode']:
        print(report['stderr_tail'], file=sys.stderr)
    return report['returncode']


if __name__ == '__main__':
    sys.exit(main())
