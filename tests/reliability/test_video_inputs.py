"""Video inputs of tools/infer.py: the readable frames of a damaged video are processed and the
others counted; a video with no readable frame, or that cannot be opened, is refused."""
import json

import cv2
import pytest

from ..apis.helpers import COCO_IMAGES, write_video
from .helpers import assert_refused, run_cli

SIZE = (320, 240)


def _jpeg_starts(data: bytes) -> list:
    """Offsets of the JPEG frames of an MJPG video (their start-of-image markers)."""
    return [i for i in range(len(data) - 1) if data[i:i + 2] == b'\xff\xd8']


def _infer(pose_files, video, out, capsys):
    status, out_text, err = run_cli('infer', [*pose_files, '--input', video, '--out-dir', out,
                                              '--format', 'jsonl', '--no-vis'], capsys)
    return status, out_text, err


def _frames(out) -> list:
    return [json.loads(line)['frame_index']
            for line in (out / 'predictions.jsonl').read_text().splitlines()]


@pytest.mark.bad_input('truncated video (MJPG AVI cut at 60 %)', 'skipped')
def test_truncated_video_keeps_its_readable_frames(pose_files, tmp_path, capsys):
    video = write_video(tmp_path / 'clip.avi', num_frames=10, fourcc='MJPG')
    data = video.read_bytes()
    video.write_bytes(data[:int(len(data) * 0.6)])
    status, out_text, _ = _infer(pose_files, video, tmp_path / 'out', capsys)
    assert status == 0
    assert _frames(tmp_path / 'out') == list(range(6))
    summary = json.loads((tmp_path / 'out' / 'summary.json').read_text())
    # The header announces 10 frames: the 4 missing ones are counted, each with its reason.
    assert summary['skipped'] == 4 and 'frame 6 of' in summary['skipped_frames'][0]
    assert 'images: 6, persons: 6, skipped: 4' in out_text


@pytest.mark.bad_input('truncated MP4 (its index, at the end, is cut off)', 'refused')
def test_truncated_mp4_is_refused(pose_files, tmp_path, capsys):
    video = write_video(tmp_path / 'clip.mp4', num_frames=10)
    data = video.read_bytes()
    video.write_bytes(data[:int(len(data) * 0.6)])
    status, _, err = _infer(pose_files, video, tmp_path / 'out', capsys)
    assert_refused(status, err, 'infer.py', f'cannot open video {video}')


@pytest.mark.bad_input('video of zero readable frames', 'refused')
def test_video_without_a_readable_frame_is_refused(pose_files, tmp_path, capsys):
    video = write_video(tmp_path / 'clip.avi', num_frames=4, fourcc='MJPG')
    data = bytearray(video.read_bytes())
    for start in _jpeg_starts(bytes(data)):
        data[start:start + 400] = bytes(400)
    video.write_bytes(bytes(data))
    status, _, err = _infer(pose_files, video, tmp_path / 'out', capsys)
    assert_refused(status, err, 'infer.py', 'none of the 4 images/frames', str(video),
                   'frame 0')


@pytest.mark.bad_input('empty video file', 'refused')
def test_empty_video_file_is_refused(pose_files, tmp_path, capsys):
    video = tmp_path / 'clip.mp4'
    video.write_bytes(b'')
    status, _, err = _infer(pose_files, video, tmp_path / 'out', capsys)
    assert_refused(status, err, 'infer.py', f'cannot open video {video}')


@pytest.mark.bad_input('video whose frame size changes mid-stream', 'processed')
def test_variable_frame_size(pose_files, tmp_path, capsys):
    """Frame 2 of an MJPG video is replaced by a JPEG of half the size: OpenCV hands it over
    scaled to the stream's size, and every frame is processed and drawn."""
    video = write_video(tmp_path / 'clip.avi', num_frames=5, fourcc='MJPG', size=SIZE)
    data = bytearray(video.read_bytes())
    start = _jpeg_starts(bytes(data))[2]
    end = data.index(b'\xff\xd9', start) + 2
    small = cv2.imencode('.jpg', cv2.resize(cv2.imread(str(COCO_IMAGES[2])), (160, 120)))[1]
    assert len(small) <= end - start
    data[start:end] = small.tobytes() + bytes(end - start - len(small))
    video.write_bytes(bytes(data))
    out = tmp_path / 'out'
    status, out_text, _ = run_cli('infer', [*pose_files, '--input', video, '--out-dir', out],
                                  capsys)
    assert status == 0 and 'images: 5, persons: 5, skipped: 0' in out_text
    records = json.loads((out / 'predictions.json').read_text())
    assert [r['frame_index'] for r in records] == list(range(5))
    assert all(r['bbox'] == [0, 0, *SIZE] for r in records)
    drawn = cv2.VideoCapture(str(out / 'clip.mp4'))
    assert drawn.get(cv2.CAP_PROP_FRAME_COUNT) == 5
