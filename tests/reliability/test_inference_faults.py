"""tools/infer.py killed, run twice at once, or short of disk space: the prediction stream
stays valid up to its last complete record, ``--resume`` completes the run with every frame
exactly once (the same predictions as a run that was never stopped), a second run in the same
folder is refused, and a full disk is a one-line error that leaves earlier outputs intact."""
import contextlib
import io
import json
import logging
import random
import resource
import signal
import time

import cv2
import pytest

from hrnet_plugin.apis.runner import LOCK_NAME
from hrnet_plugin.apis.writers import read_frame_records

from ..apis.helpers import COCO_IMAGES, write_video
from .helpers import assert_refused, run_cli, start_tool, tool

NUM_IMAGES = 30
NUM_FRAMES = 24
SEED = 0


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    """``NUM_IMAGES`` small images (the COCO samples, resized) with distinct names, and a video
    of ``NUM_FRAMES`` frames."""
    folder = tmp_path_factory.mktemp('inputs')
    images = folder / 'images'
    images.mkdir()
    for index in range(NUM_IMAGES):
        image = cv2.imread(str(COCO_IMAGES[index % len(COCO_IMAGES)]))
        cv2.imwrite(str(images / f'frame_{index:04d}.jpg'),
                    cv2.resize(image, (96 + index % 5 * 8, 128)))
    return dict(images=images, video=write_video(folder / 'clip.mp4', NUM_FRAMES, (128, 96)))


def _main(args) -> tuple:
    """tools/infer.py in this process with one crop per forward pass, as in ``_killed_run``
    (other batch sizes round differently; both use one torch thread): (exit status, stderr
    and log)."""
    err = io.StringIO()
    handler = logging.StreamHandler(err)
    logging.getLogger().addHandler(handler)
    try:
        with contextlib.redirect_stderr(err):
            status = tool('infer').main([*map(str, args), '--batch-size', '1'])
    finally:
        logging.getLogger().removeHandler(handler)
    return status, err.getvalue()


def _killed_run(pose_files, source, out, lines: int, during=None) -> dict:
    """Start tools/infer.py on ``source``; once its stream exists call ``during()``; SIGKILL it
    once the stream holds ``lines`` frames."""
    process = start_tool('infer', [*pose_files, '--input', source, '--out-dir', out,
                                   '--batch-size', '1', '--format', 'coco'],
                         out.with_suffix('.log'))
    stream = out / 'predictions.partial.jsonl'
    deadline = time.monotonic() + 240
    during_result = None
    while not (stream.is_file() and stream.read_bytes().count(b'\n') >= lines):
        assert process.poll() is None, out.with_suffix('.log').read_text()[-3000:]
        assert time.monotonic() < deadline
        if during is not None and during_result is None and stream.is_file():
            during_result = during()
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    assert process.wait(60) == -signal.SIGKILL
    return dict(pid=process.pid, during=during_result, stream=stream.read_bytes(),
                lock=(out / LOCK_NAME).read_text().strip())


@pytest.fixture(scope='module')
def folder_runs(pose_files, inputs, tmp_path_factory):
    """The folder run: killed after a seeded number of images, while a second run into the
    same folder is tried; resumed; and an uninterrupted run to compare with."""
    images = inputs['images']
    out, reference = tmp_path_factory.mktemp('killed'), tmp_path_factory.mktemp('reference')
    lines = random.Random(SEED).randint(5, NUM_IMAGES - 10)
    killed = _killed_run(pose_files, images, out, lines,
                         during=lambda: _main([*pose_files, '--input', images, '--out-dir', out]))
    resumed = _main([*pose_files, '--input', images, '--out-dir', out, '--resume'])
    assert _main([*pose_files, '--input', images, '--out-dir', reference])[0] == 0
    return dict(out=out, reference=reference, killed=killed, resumed=resumed, lines=lines)


@pytest.mark.bad_input('inference over a folder killed with SIGKILL, then --resume',
                       'recovered')
def test_killed_folder_run_resumes_every_image_once(folder_runs):
    out, killed = folder_runs['out'], folder_runs['killed']
    # What the kill left: complete lines, perhaps a last one cut short.
    complete = killed['stream'][:killed['stream'].rfind(b'\n') + 1]
    assert len(complete.splitlines()) >= folder_runs['lines']
    assert all(json.loads(line)['file_name'] for line in complete.splitlines())
    status, err = folder_runs['resumed']
    assert status == 0, err
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['complete'] and summary['images'] == NUM_IMAGES
    assert summary['resumed'] == len(complete.splitlines())
    records = json.loads((out / 'predictions.json').read_text())
    names = [r['file_name'] for r in records]  # one person (the whole image) per image
    assert len(names) == len(set(names)) == NUM_IMAGES
    assert records == json.loads((folder_runs['reference'] / 'predictions.json').read_text())
    assert not (out / 'predictions.partial.jsonl').exists()


@pytest.mark.bad_input('a second tools/infer.py writing into the same --out-dir', 'refused')
def test_second_run_in_the_same_folder_is_refused(folder_runs):
    status, err = folder_runs['killed']['during']
    assert_refused(status, err, 'infer.py', f'{folder_runs["out"]} is in use by process '
                   f'{folder_runs["killed"]["pid"]}', LOCK_NAME)


@pytest.mark.bad_input('lock file of a killed run', 'recovered')
def test_stale_lock_of_a_dead_process_is_taken_over(folder_runs):
    assert folder_runs['killed']['lock'] == str(folder_runs['killed']['pid'])
    status, err = folder_runs['resumed']
    assert f'taking over the lock of process {folder_runs["killed"]["pid"]}' in err


@pytest.mark.bad_input('inference over a video killed with SIGKILL, then --resume', 'recovered')
def test_killed_video_run_resumes_every_frame_once(pose_files, inputs, tmp_path):
    out, reference = tmp_path / 'out', tmp_path / 'reference'
    out.mkdir()
    _killed_run(pose_files, inputs['video'], out, random.Random(SEED + 1).randint(4, 16))
    assert (out / 'clip.partial.mp4').exists() and not (out / 'clip.mp4').exists()
    status, err = _main([*pose_files, '--input', inputs['video'], '--out-dir', out, '--resume'])
    assert status == 0, err
    assert _main([*pose_files, '--input', inputs['video'], '--out-dir', reference])[0] == 0
    records = json.loads((out / 'predictions.json').read_text())
    assert [r['frame_index'] for r in records] == list(range(NUM_FRAMES))
    assert records == json.loads((reference / 'predictions.json').read_text())  # track ids too
    drawn = cv2.VideoCapture(str(out / 'clip.mp4'))
    assert drawn.get(cv2.CAP_PROP_FRAME_COUNT) == NUM_FRAMES
    assert not (out / 'clip.partial.mp4').exists()


@pytest.mark.bad_input('--resume with another input than the interrupted run', 'refused')
def test_resume_with_another_input_is_refused(pose_files, inputs, tmp_path, capsys):
    out = tmp_path / 'out'
    status, _, _ = run_cli('infer', [*pose_files, '--input', COCO_IMAGES[0], '--out-dir', out],
                           capsys)
    assert status == 0
    status, _, err = run_cli('infer', [*pose_files, '--input', inputs['images'], '--out-dir', out,
                                       '--resume'], capsys)
    assert_refused(status, err, 'infer.py', f'cannot resume in {out}', str(COCO_IMAGES[0]))


def test_cut_stream_is_read_up_to_its_last_complete_record(tmp_path):
    stream = tmp_path / 'predictions.jsonl'
    stream.write_text('{"file_name": "a.jpg", "persons": []}\n{"file_name": "b.jp')
    assert [r['file_name'] for r in read_frame_records(stream)] == ['a.jpg']


def _earlier_outputs(pose_files, source, out, capsys, *extra) -> dict:
    """Run once into ``out``; returns the bytes of every file it wrote."""
    status, _, _ = run_cli('infer', [*pose_files, '--input', source, '--out-dir', out, *extra],
                           capsys)
    assert status == 0
    return {path.name: path.read_bytes() for path in out.iterdir()
            if path.name not in ('summary.json', LOCK_NAME)}


# The limits stay above the config (7 kB), which mmengine copies to a temporary file on loading.
@pytest.mark.parametrize('what, limit, extra', [
    pytest.param('predictions.partial.jsonl', 12000, ['--no-vis'], marks=pytest.mark.bad_input(
        'full disk (file-size limit) writing the prediction stream', 'refused'), id='stream'),
    pytest.param('frame_0001.jpg', 9000, [], marks=pytest.mark.bad_input(
        'full disk (file-size limit) writing a drawn image', 'refused'), id='drawing'),
])
def test_full_disk_is_a_one_line_error_and_keeps_earlier_outputs(
        pose_files, inputs, tmp_path, capsys, file_size_limit, what, limit, extra):
    """A first run over 4 images succeeds; the second, over all images (outputs past the
    limit), fails naming the file, and every file of the first run is as it was."""
    out = tmp_path / 'out'
    folder = tmp_path / 'in'
    folder.mkdir()
    for path in sorted(inputs['images'].iterdir())[:4]:
        (folder / path.name).write_bytes(path.read_bytes())
    earlier = _earlier_outputs(pose_files, folder, out, capsys, *extra)
    for path in sorted(inputs['images'].iterdir())[4:]:
        (folder / path.name).write_bytes(path.read_bytes())
    file_size_limit(limit)
    status, _, err = run_cli('infer', [*pose_files, '--input', folder, '--out-dir', out, *extra],
                             capsys)
    file_size_limit(resource.RLIM_INFINITY)
    assert_refused(status, err, 'infer.py', f'cannot write {out / what}: File too large')
    for name, content in earlier.items():  # drawings made again are drawn identically
        assert (out / name).read_bytes() == content, name
    assert not list(out.glob('.*.tmp'))


@pytest.mark.bad_input('full disk (file-size limit) writing the annotated video', 'refused')
def test_full_disk_while_drawing_a_video_keeps_the_earlier_video(pose_files, inputs, tmp_path,
                                                                  capsys, file_size_limit):
    out = tmp_path / 'out'
    earlier = _earlier_outputs(pose_files, inputs['video'], out, capsys)
    file_size_limit(len(earlier['clip.mp4']) // 2)
    status, _, err = run_cli('infer', [*pose_files, '--input', inputs['video'], '--out-dir',
                                       out], capsys)
    file_size_limit(resource.RLIM_INFINITY)
    assert_refused(status, err, 'infer.py', f'cannot write video {out / "clip.partial.mp4"}')
    assert (out / 'clip.mp4').read_bytes() == earlier['clip.mp4']
    assert (out / 'predictions.json').read_bytes() == earlier['predictions.json']
