"""Long-run check of ``tools/infer.py`` on a generated video: resident memory and time per
frame sampled while it runs (the engine of ``tools/soak_video.py``).

A streaming run keeps nothing per frame in memory (the prediction stream is flushed line by
line, the annotated video is written frame by frame), so its resident memory (RSS) must stay
flat and its time per frame constant however long the input. Linux only (``/proc``).
"""
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

#: The quickstart's small HRNet (widths 24-192, 128 x 96 input): the default model.
DEFAULT_CONFIG = 'configs/quickstart/td-hm_hrnet-w24-tiny_1xb32-5min_synthetic-96x64.py'


def write_moving_video(path: Path, num_frames: int, size: Tuple[int, int] = (320, 240),
                       fps: float = 25, seed: int = 0) -> Path:
    """An mp4v video of ``num_frames`` frames of (W, H) ``size``: a textured background and a
    figure-sized bright block that moves across it."""
    width, height = size
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 80, (height, width, 3), dtype=np.uint8)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
    if not writer.isOpened():
        raise OSError(f'cannot write video {path} (no mp4v encoder?)')
    for index in range(num_frames):
        frame = background.copy()
        x = int((width - 60) * (0.5 + 0.5 * np.sin(index / 50)))
        cv2.rectangle(frame, (x, height // 6), (x + 60, height - height // 6),
                      (200, 180, 160), -1)
        writer.write(frame)
    writer.release()
    return path


def write_random_model(config: str, out_dir: Path, seed: int = 0) -> Path:
    """A checkpoint of ``config``'s pose model with seeded random weights (the constructor's,
    seeded) and the config's dataset metadata."""
    from hrnet_plugin.apis import init_pose_model

    torch.manual_seed(seed)
    model = init_pose_model(config)
    path = out_dir / 'random_weights.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {'dataset_meta': model.dataset_meta}},
               path)
    return path


def resident_bytes(pid: int) -> Optional[int]:
    """Resident memory of process ``pid`` (VmRSS), or None once it has ended."""
    try:
        status = Path(f'/proc/{pid}/status').read_text()
    except OSError:
        return None
    kilobytes = next(line.split()[1] for line in status.splitlines()
                     if line.startswith('VmRSS:'))
    return int(kilobytes) * 1024


def _at_frame(samples: List[Dict], frame: int) -> Dict:
    """The first sample taken once ``frame`` frames were done (the last one if never)."""
    return next((s for s in samples if s['frames'] >= frame), samples[-1])


def summarize(samples: List[Dict], start_frame: int, window: int) -> Dict:
    """RSS growth from ``start_frame`` to the last frame (the first sample once every frame is
    done; the writers' closing, e.g. reading the video back, comes after it and counts in the
    maximum only) and ms per frame in windows of ``window`` frames, from samples
    ``{'seconds', 'frames', 'rss'}``."""
    first, last = _at_frame(samples, start_frame), _at_frame(samples, samples[-1]['frames'])
    marks = [_at_frame(samples, frame) for frame in range(0, last['frames'] + 1, window)]
    per_frame = [1000 * (b['seconds'] - a['seconds']) / (b['frames'] - a['frames'])
                 for a, b in zip(marks, marks[1:]) if b['frames'] > a['frames']]
    return {'rss_mb_at_start_frame': first['rss'] / 2**20,
            'rss_mb_at_last_frame': last['rss'] / 2**20,
            'rss_growth_mb': (last['rss'] - first['rss']) / 2**20,
            'rss_mb_max': max(s['rss'] for s in samples) / 2**20,
            'ms_per_frame_windows': [round(v, 2) for v in per_frame],
            'last_to_first_window': per_frame[-1] / per_frame[1] if len(per_frame) > 2 else None}


def soak_video(out_dir: Path, num_frames: int = 5000, config: str = DEFAULT_CONFIG,
               checkpoint: Optional[str] = None, interval: float = 0.5, start_frame: int = 500,
               window: int = 500, infer_args: Sequence[str] = ()) -> Dict:
    """Generate a video, run tools/infer.py on it (whole frames as persons, drawn video and
    the jsonl stream) and sample its RSS and progress every ``interval`` seconds.

    Returns (and writes to ``out_dir/soak.json``): the samples, the summary (``summarize``),
    the exit status and the wall time.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    video = write_moving_video(out_dir / 'soak.mp4', num_frames)
    checkpoint = checkpoint or str(write_random_model(config, out_dir))
    tool = Path(__file__).resolve().parents[2] / 'tools' / 'infer.py'
    run_dir = out_dir / 'infer'
    command = [sys.executable, str(tool), config, checkpoint, '--input', str(video),
               '--out-dir', str(run_dir), '--format', 'jsonl', *infer_args]
    stream = run_dir / 'predictions.jsonl'
    samples, frames, offset = [], 0, 0
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    while process.poll() is None:
        rss = resident_bytes(process.pid)
        if stream.is_file():
            with open(stream, 'rb') as file:  # count the lines added since the last sample
                file.seek(offset)
                added = file.read()
            complete = added.rfind(b'\n') + 1
            frames += added[:complete].count(b'\n')
            offset += complete
        if rss is not None:
            samples.append({'seconds': time.perf_counter() - start, 'frames': frames,
                            'rss': rss})
        time.sleep(interval)
    report = {'command': command, 'returncode': process.returncode,
              'stderr_tail': process.stderr.read()[-2000:], 'num_frames': num_frames,
              'seconds': time.perf_counter() - start, 'samples': samples,
              'summary': summarize(samples, start_frame, window) if samples else {}}
    (out_dir / 'soak.json').write_text(json.dumps(report, indent=1))
    return report
