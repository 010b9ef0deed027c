"""tools/export_onnx.py: the exported graph runs in onnxruntime and matches PyTorch."""
import runpy
from pathlib import Path

import onnx
import pytest

from tests.models.tiny_topdown import HEATMAP_SIZE, single_thread, write_tiny_config

pytestmark = pytest.mark.usefixtures(single_thread.__name__)
TOOL = Path(__file__).resolve().parents[2] / 'tools' / 'export_onnx.py'


@pytest.mark.parametrize('batch,flip', [('dynamic', True), ('2', False)])
def test_export_matches_pytorch(tmp_path, batch, flip):
    config = write_tiny_config(tmp_path)
    out = tmp_path / 'tiny.onnx'
    args = [str(config), str(tmp_path / 'tiny.pth'), str(out), '--batch', batch,
            '--repeats', '1'] + (['--flip'] if flip else [])
    report = runpy.run_path(str(TOOL))['main'](args)
    onnx.checker.check_model(str(out))
    # The check batch differs from the traced one for a dynamic export (3 vs 2).
    expected_batch = 3 if batch == 'dynamic' else 2
    assert report['heatmap_shape'] == [expected_batch, 17, HEATMAP_SIZE[1], HEATMAP_SIZE[0]]
    assert report['max_error_relative_to_range'] <= 1e-4
    assert all(t > 0 for t in report['latency_s'].values())
