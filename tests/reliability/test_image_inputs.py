"""Image inputs of tools/infer.py: unreadable files are skipped and counted, unusual but valid
ones read like their plain twins, a folder with nothing readable is refused."""
import json

import cv2
import numpy as np
import pytest

from hrnet_plugin.apis import read_image

from .helpers import assert_refused, run_cli, tool
from .images import SOURCE, write_unreadable_images, write_unusual_images

UNREADABLE = {'empty.jpg': 'empty image file', 'truncated.jpg': 'truncated JPEG',
              'truncated.png': 'truncated PNG', 'text.jpg': 'text file named .jpg',
              'bomb.png': 'image larger than OpenCV accepts (PNG header of 70000 x 70000)'}
UNUSUAL = {'gray16.png': '16-bit grayscale PNG', 'bgr16.png': '16-bit colour PNG',
           'rgba.png': 'RGBA PNG', 'one_pixel.png': '1 x 1 pixel image',
           'cmyk.jpg': 'CMYK JPEG', 'exif_rotated.jpg': 'EXIF-rotated photo (orientation 6)'}
LOSSY = {'cmyk.jpg', 'exif_rotated.jpg'}
LARGE_SIZE = (6000, 4000)  # 24 MP


def assert_inside_crop(person: dict, width: float, height: float) -> None:
    """The keypoints lie in the crop of the whole-image box (padded by 1.25 and fitted to the
    model's 192 x 256 aspect ratio) to within 1.5 heatmap pixels (1/48 of the crop each: the
    quarter-pixel offset and the flip test's shift reach past the border pixel)."""
    crop = 1.25 * np.array([max(width, height * 0.75), max(height, width / 0.75)])
    keypoints = np.reshape(person['keypoints'], (-1, 3))
    assert np.isfinite(keypoints).all()
    offsets = np.abs(keypoints[:, :2] - [width / 2, height / 2])
    assert (offsets <= crop * (0.5 + 1.5 / 48)).all(), offsets.max(axis=0)


@pytest.fixture(scope='module')
def folder_run(pose_files, tmp_path_factory):
    """tools/infer.py over one folder holding every case (whole images as persons)."""
    folder = tmp_path_factory.mktemp('images')
    reasons = write_unreadable_images(folder)
    twins = write_unusual_images(folder)
    cv2.imwrite(str(folder / 'large.jpg'), cv2.resize(cv2.imread(str(SOURCE)), LARGE_SIZE))
    out = tmp_path_factory.mktemp('out')
    status = tool('infer').main([*pose_files, '--input', str(folder), '--out-dir', str(out),
                                 '--format', 'jsonl', '--no-vis'])
    records = {line['file_name']: line for line in map(
        json.loads, (out / 'predictions.jsonl').read_text().splitlines())}
    summary = json.loads((out / 'summary.json').read_text())
    return dict(folder=folder, reasons=reasons, twins=twins, status=status, records=records,
                summary=summary)


@pytest.mark.parametrize('name', [
    pytest.param(name, marks=pytest.mark.bad_input(case, 'skipped'), id=name)
    for name, case in UNREADABLE.items()])
def test_unreadable_image_is_skipped_and_counted(folder_run, name):
    assert folder_run['status'] == 0
    assert name not in folder_run['records']
    summary = folder_run['summary']
    assert summary['complete'] and summary['skipped'] == len(UNREADABLE)
    reasons = [r for r in summary['skipped_frames'] if str(folder_run['folder'] / name) in r]
    assert len(reasons) == 1 and folder_run['reasons'][name] in reasons[0]


@pytest.mark.parametrize('name', [
    pytest.param(name, marks=pytest.mark.bad_input(case, 'processed'), id=name)
    for name, case in UNUSUAL.items()])
def test_unusual_image_reads_like_its_plain_twin(folder_run, name):
    """The image decodes to its plain twin's pixels (within JPEG noise for the lossy ones), in
    the orientation the user sees, and the lossless ones give the twin's very keypoints."""
    folder, records = folder_run['folder'], folder_run['records']
    twin = folder_run['twins'][name]
    image, plain = read_image(folder / name), read_image(folder / twin)
    assert image.shape == plain.shape
    difference = np.abs(image.astype(int) - plain).mean()
    assert difference < 3 if name in LOSSY else difference == 0
    person, = records[name]['persons']
    height, width = plain.shape[:2]
    assert person['bbox'] == [0, 0, width, height]  # the whole image, as shown
    assert_inside_crop(person, width, height)
    if name not in LOSSY:  # the same keypoints and scores (image ids come from the names)
        expected = records[twin]['persons'][0]
        assert (person['keypoints'], person['score']) == (expected['keypoints'],
                                                          expected['score'])


@pytest.mark.bad_input('very large image (24 MP)', 'processed')
def test_very_large_image_is_processed(folder_run):
    person, = folder_run['records']['large.jpg']['persons']
    assert person['bbox'] == [0, 0, *LARGE_SIZE]
    assert_inside_crop(person, *LARGE_SIZE)
    assert np.reshape(person['keypoints'], (-1, 3))[:, 0].max() > 640


@pytest.mark.bad_input('folder whose images are all unreadable', 'refused')
def test_folder_without_a_readable_image_is_refused(pose_files, tmp_path, capsys):
    folder = tmp_path / 'in'
    folder.mkdir()
    write_unreadable_images(folder)
    status, _, err = run_cli('infer', [*pose_files, '--input', folder, '--out-dir',
                                       tmp_path / 'out'], capsys)
    assert_refused(status, err, 'infer.py', 'none of the 5 images/frames', str(folder))
    assert not (tmp_path / 'out' / 'predictions.json').exists()


@pytest.mark.bad_input('--out-dir naming an existing file', 'refused')
def test_out_dir_that_is_a_file_is_refused(pose_files, tmp_path, capsys):
    blocker = tmp_path / 'results'
    blocker.write_text('a file')
    status, _, err = run_cli('infer', [*pose_files, '--input', SOURCE, '--out-dir', blocker],
                             capsys)
    assert_refused(status, err, 'infer.py', f'{blocker} is a file, not a folder')
    assert blocker.read_text() == 'a file'
