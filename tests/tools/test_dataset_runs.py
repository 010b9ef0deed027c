"""tools/train.py then tools/test.py on the MPII and PoseTrack18 samples."""
import json

import pytest

from .runs import run, write_tiny_config


@pytest.mark.slow
@pytest.mark.parametrize('dataset, metrics', [
    ('mpii', {'PCK', 'PCK@0.1', 'Head PCK'}),  # PCKh@0.5 and @0.1 (head-box normalised)
    ('posetrack18', {'posetrack18/Total AP', 'posetrack18/Head AP', 'posetrack18/Ankl AP'}),
])
def test_train_then_test(dataset, metrics, tmp_path):
    config = write_tiny_config(tmp_path, dataset)
    log = run(['python', 'tools/train.py', str(config), '--work-dir', str(tmp_path / 'train')])
    assert 'Epoch(val) [1]' in log.stdout
    run(['python', 'tools/test.py', str(config), str(tmp_path / 'train' / 'epoch_1.pth'),
         '--work-dir', str(tmp_path / 'test'), '--out', str(tmp_path / 'metrics.json')])
    scores = json.loads((tmp_path / 'metrics.json').read_text())
    assert metrics <= set(scores)
    assert all(0.0 <= scores[name] <= 100.0 for name in metrics)
