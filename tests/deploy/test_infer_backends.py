"""tools/infer.py with --backend openvino / onnxruntime end to end, on an image, a folder and a
video of synthetic people: the predictions equal the PyTorch backend's, an unreadable image is
still skipped and counted, and what precision 'auto' picked is printed."""
import json
import runpy
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmpose.apis import inference_topdown as mmpose_inference_topdown

from hrnet_plugin.apis import inference_topdown, init_pose_model
from hrnet_plugin.utils import read_detection_results
from tests.models.tiny_topdown import single_thread

pytestmark = pytest.mark.usefixtures(single_thread.__name__)
TOOL = Path(__file__).resolve().parents[2] / 'tools' / 'infer.py'
NUM_IMAGES = 5


@pytest.fixture(scope='module')
def inputs(trained_pose, tmp_path_factory) -> dict:
    """An image, a folder of images with an unreadable one, a video, and the detections of the
    synthetic validation images."""
    data = trained_pose.config.parent / 'data'
    images = sorted((data / 'images' / 'val').glob('*.jpg'))[:NUM_IMAGES]
    folder = tmp_path_factory.mktemp('folder')
    for path in images:
        shutil.copy(path, folder / path.name)
    (folder / 'zz_broken.jpg').write_bytes(b'not a jpeg')
    video = folder.parent / 'clip.mp4'
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*'mp4v'), 5, (128, 128))
    for path in images:
        writer.write(cv2.imread(str(path)))
    writer.release()
    return dict(image=images[0], folder=folder, video=video,
                bboxes=data / 'annotations' / 'val_detections.json')


def _infer(trained_pose, out_dir: Path, *args: str) -> int:
    main = runpy.run_path(str(TOOL))['main']
    return main([str(trained_pose.config), str(trained_pose.checkpoint), '--out-dir',
                 str(out_dir), '--batch-size', '4', *args])


def _keypoints(out_dir: Path) -> np.ndarray:
    records = json.loads((out_dir / 'predictions.json').read_text())
    return np.array([r['keypoints'] for r in records]).reshape(len(records), -1, 3)


@pytest.mark.parametrize('kind', ['image', 'folder', 'video'])
def test_openvino_predictions_equal_pytorch(trained_pose, inputs, kind, tmp_path, capsys):
    args = ['--input', str(inputs[kind])]
    if kind != 'video':
        args += ['--bboxes', str(inputs['bboxes'])]   # matched by the number in the file name
    if kind == 'image':
        args.append('--no-vis')
    assert _infer(trained_pose, tmp_path / 'pytorch', *args) == 0
    expected = capsys.readouterr().out
    assert _infer(trained_pose, tmp_path / 'openvino', *args, '--backend', 'openvino') == 0
    summary = capsys.readouterr().out
    count = {'image': 1, 'folder': NUM_IMAGES, 'video': NUM_IMAGES}[kind]
    assert f'images: {count},' in summary
    # Same persons; skipped: 1 for the folder's unreadable image, with either backend.
    assert summary.split(', seconds')[0] == expected.split(', seconds')[0]
    pytorch, openvino = _keypoints(tmp_path / 'pytorch'), _keypoints(tmp_path / 'openvino')
    assert len(pytorch) >= count and pytorch.shape == openvino.shape
    np.testing.assert_allclose(openvino[..., :2], pytorch[..., :2], rtol=0, atol=0.01)
    np.testing.assert_allclose(openvino[..., 2], pytorch[..., 2], rtol=0, atol=1e-4)
    if kind == 'video':
        assert (tmp_path / 'openvino' / 'clip.mp4').is_file()


def test_precision_auto_says_what_it_picked(trained_pose, inputs, tmp_path, caplog):
    # infer.py logs at INFO what 'auto' picked (under pytest the record reaches caplog).
    assert _infer(trained_pose, tmp_path, '--input', str(inputs['image']), '--no-vis',
                  '--backend', 'onnxruntime', '--precision', 'auto') == 0
    assert "precision 'auto' of backend 'onnxruntime': fp32 (onnxruntime has no bfloat16" \
        in caplog.text


@pytest.mark.bad_input('infer.py --backend onnxruntime --precision bf16', 'refused')
def test_precision_the_backend_lacks_is_refused(trained_pose, inputs, tmp_path, capsys):
    assert _infer(trained_pose, tmp_path, '--input', str(inputs['image']),
                  '--backend', 'onnxruntime', '--precision', 'bf16') == 1
    assert ("precision of backend 'onnxruntime' must be 'auto' or one of ['fp32', 'int8'], "
            "got 'bf16'") in capsys.readouterr().err


def test_inference_topdown_of_a_runtime_model(trained_pose, inputs):
    """The runtime model keeps mmpose's estimator contract: our inference_topdown and
    mmpose's own give the PyTorch model's keypoints."""
    image = str(inputs['image'])
    boxes = read_detection_results(inputs['bboxes']).by_image_id()[1][:, :4]   # 000001.jpg
    assert len(boxes)
    pytorch = init_pose_model(trained_pose.config, trained_pose.checkpoint)
    openvino = init_pose_model(trained_pose.config, trained_pose.checkpoint, backend='openvino')
    expected = np.stack([s.pred_instances.keypoints[0]
                         for s in inference_topdown(pytorch, image, boxes, 'xywh')])
    for run in (inference_topdown, mmpose_inference_topdown):
        got = np.stack([s.pred_instances.keypoints[0] for s in run(openvino, image, boxes,
                                                                   'xywh')])
        np.testing.assert_allclose(got, expected, rtol=0, atol=0.01)
