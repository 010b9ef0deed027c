"""COCO end to end on the sample images: `mim train`/`mim test` (the installed plugin), and
tools/test.py and tools/train.py --resume on the checkpoints of that run.

One 2-epoch training run is shared by the tests (processes are the expensive part here).
"""
import json
import pickle
from pathlib import Path

import pytest
import torch

from .runs import TRAIN_SAMPLES, run, write_tiny_config

pytestmark = pytest.mark.slow

COCO_IMAGE_IDS = {785, 40083, 196141, 197388}
COCO_PERSON_IDS = {442619, 198196, 230195, 460541, 488308, 1717641, 1724673, 437295, 467657,
                   531914, 533949, 543117}  # the sample's persons with labelled keypoints
TRAIN_ITERS = TRAIN_SAMPLES // 2  # per epoch, at batch 2
MIM = {'PYTHONPATH': ''}  # mim runs the installed plugin's tools and configs


def load_checkpoint(path: Path) -> dict:
    """A checkpoint these tests wrote (the tools' own loading is what the runs test)."""
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.fixture(scope='module')
def coco_run(tmp_path_factory) -> dict:
    """`mim train` of the tiny COCO config for 2 epochs; its config, work dir and log."""
    root = tmp_path_factory.mktemp('coco')
    config = write_tiny_config(root, 'coco', epochs=2,
                               evaluator={'outfile_prefix': str(root / 'val' / 'coco')})
    result = run(['mim', 'train', 'hrnet_plugin', str(config), '--work-dir', str(root / 'train')],
                 env=MIM)
    return {'root': root, 'config': config, 'work_dir': root / 'train', 'log': result.stdout}


def test_mim_train_saves_checkpoints_and_evaluates(coco_run):
    work_dir, log = coco_run['work_dir'], coco_run['log']
    assert '.mim/tools/train.py' in log  # mim ran the installed copy of tools/train.py
    for epoch in (1, 2):
        assert load_checkpoint(work_dir / f'epoch_{epoch}.pth')['meta']['epoch'] == epoch
    assert list(work_dir.glob('best_coco_AP_epoch_2.pth'))
    assert 'Epoch(val) [2]' in log and 'coco/AP: ' in log
    results = json.loads((coco_run['root'] / 'val' / 'coco.keypoints.json').read_text())
    assert {r['image_id'] for r in results} <= COCO_IMAGE_IDS and results
    assert all(len(r['keypoints']) == 3 * 17 and r['category_id'] == 1 for r in results)


def test_mim_test_evaluates_a_checkpoint(coco_run, tmp_path):
    log = run(['mim', 'test', 'hrnet_plugin', str(coco_run['config']), '--checkpoint',
               str(coco_run['work_dir'] / 'epoch_2.pth'), '--work-dir', str(tmp_path),
               '--out', str(tmp_path / 'metrics.json')], env=MIM).stdout
    assert '.mim/tools/test.py' in log
    metrics = json.loads((tmp_path / 'metrics.json').read_text())
    assert 0.0 <= metrics['coco/AP'] <= 1.0 and 'coco/AR' in metrics


def test_tools_test_writes_metrics_results_and_predictions(coco_run, tmp_path):
    run(['python', 'tools/test.py', str(coco_run['config']),
         str(coco_run['work_dir'] / 'epoch_2.pth'), '--work-dir', str(tmp_path / 'work'),
         '--out', str(tmp_path / 'metrics.json'), '--dump', str(tmp_path / 'predictions.pkl'),
         '--show-dir', 'vis', '--cfg-options', f'test_evaluator.outfile_prefix={tmp_path}/test'])
    metrics = json.loads((tmp_path / 'metrics.json').read_text())
    assert {'coco/AP', 'coco/AP .5', 'coco/AP .75', 'coco/AR'} <= set(metrics)
    results = json.loads((tmp_path / 'test.keypoints.json').read_text())
    assert 0 < len(results) <= len(COCO_PERSON_IDS)  # one per person box kept by OKS-NMS
    predictions = pickle.loads((tmp_path / 'predictions.pkl').read_bytes())
    assert sorted(p['id'] for p in predictions) == sorted(COCO_PERSON_IDS)
    assert {p['img_id'] for p in predictions} == COCO_IMAGE_IDS
    for prediction in predictions:
        assert prediction['pred_instances']['keypoints'].shape == (1, 17, 2)
        assert prediction['pred_instances']['keypoint_scores'].shape == (1, 17)
    drawn = [path.stem for path in (tmp_path / 'work').glob('*/vis/*.jpg')]  # <image>_<box>
    assert len(drawn) == len(COCO_PERSON_IDS)
    assert {name.split('_')[0] for name in drawn} == {f'{i:012d}' for i in COCO_IMAGE_IDS}


def test_tools_train_resumes_an_interrupted_run(coco_run, tmp_path):
    """The work dir of a run stopped after epoch 1 of 2 (epoch_1.pth, named by last_checkpoint)
    resumes with `--resume`: epoch 2 only, the schedule continuing where it stopped."""
    (tmp_path / 'epoch_1.pth').write_bytes((coco_run['work_dir'] / 'epoch_1.pth').read_bytes())
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))
    log = run(['python', 'tools/train.py', str(coco_run['config']), '--work-dir', str(tmp_path),
               '--resume']).stdout
    assert f'resumed epoch: 1, iter: {TRAIN_ITERS}' in log
    assert 'Epoch(train) [1]' not in log and f'Epoch(train) [2][{TRAIN_ITERS}/' in log
    resumed = load_checkpoint(tmp_path / 'epoch_2.pth')
    uninterrupted = load_checkpoint(coco_run['work_dir'] / 'epoch_2.pth')
    assert resumed['meta']['epoch'] == 2 and resumed['meta']['iter'] == 2 * TRAIN_ITERS
    # The counters and the lr schedule continued as in the run that was never interrupted.
    for key in ('epoch', 'iter', 'max_iters'):
        assert (resumed['message_hub']['runtime_info'][key]
                == uninterrupted['message_hub']['runtime_info'][key]), key
    assert resumed['param_schedulers'] == uninterrupted['param_schedulers']
