"""tools/benchmark.py on a tiny config: every row is measured, and our outputs agree with
mmpose's (no timing assertions: the machine is shared and noisy)."""
import json
import math
import runpy
from pathlib import Path

import pytest

from hrnet_plugin.deploy import cpu_has_native_bf16, openvino_bf16_missing
from hrnet_plugin.utils import HOME_VARIABLE
from tests.deploy.trained_pose import CALIBRATION_CROPS, train_tiny_pose
from tests.models.tiny_topdown import single_thread, write_tiny_config

pytestmark = pytest.mark.usefixtures(single_thread.__name__)
TOOL = Path(__file__).resolve().parents[2] / 'tools' / 'benchmark.py'
ROWS = ['forward_b1', 'forward_b2', 'flip_b2', 'decode64_msra', 'decode64_dark', 'decode64_udp',
        'encode_msra', 'encode_dark', 'encode_udp', 'pipeline', 'e2e', 'train_b2', 'onnx_b1',
        'onnx_b2']
# Rows whose outputs must equal the reference (float32, same weights): max keypoint diff in
# pixels, max heatmap diff, or ONNX error relative to the heatmap range.
AGREEMENT = {'forward_b1': 1e-3, 'forward_b2': 1e-3, 'flip_b2': 1e-3, 'decode64_msra': 1e-3,
             'decode64_dark': 1e-3, 'decode64_udp': 1e-3, 'encode_msra': 1e-5,
             'encode_dark': 1e-5, 'encode_udp': 1e-5, 'onnx_b1': 1e-4, 'onnx_b2': 1e-4}


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_benchmark_reports_every_row(tmp_path, data_root):
    config = write_tiny_config(tmp_path)
    out = tmp_path / 'bench.json'
    main = runpy.run_path(str(TOOL))['main']
    report = main([str(config), '--batch-size', '2', '--repeats', '1', '--compare-mmpose',
                   '--json', str(out), '--data-root', str(data_root / 'coco')])
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    model = report['model']
    assert model['input_shape'] == [3, 96, 64]
    assert all(_positive(model[k]) for k in ('params', 'conv_macs_per_image',
                                             'mmengine_flops_per_image'))
    assert sorted(report['rows']) == sorted(ROWS)
    for name, row in report['rows'].items():
        assert _positive(row['ours_s']) and _positive(row['baseline_s']), name
        assert row['ratio'] == pytest.approx(row['ours_s'] / row['baseline_s'])
        if name in AGREEMENT:
            assert 0 <= row['agreement'] <= AGREEMENT[name], name


@pytest.fixture(scope='module')
def trained_pose(tmp_path_factory):
    """The model of tests/deploy (trained once per session, in the session's base folder)."""
    return train_tiny_pose(tmp_path_factory.getbasetemp() / 'trained_pose')


def test_backend_rows(trained_pose, tmp_path, data_root, monkeypatch):
    monkeypatch.setenv(HOME_VARIABLE, str(tmp_path / 'home'))
    report = runpy.run_path(str(TOOL))['main']([
        str(trained_pose.config), '--checkpoint', str(trained_pose.checkpoint), '--rows', 'none',
        '--backends', 'pytorch,openvino', '--precisions', 'fp32,bf16,int8', '--val-ap',
        '--calibration-size', str(CALIBRATION_CROPS), '--batch-size', '2', '--repeats', '1',
        '--data-root', str(data_root / 'coco')])
    rows = report['rows']
    assert sorted(rows) == sorted(f'{b}_{p}_{kind}' for b in ('pytorch', 'openvino')
                                  for p in ('fp32', 'bf16', 'int8') for kind in ('model', 'e2e'))
    missing = {'pytorch_int8': "precision of backend 'pytorch' must be 'auto' or one of",
               'pytorch_bf16': None if cpu_has_native_bf16() else 'no native bfloat16',
               'openvino_bf16': openvino_bf16_missing() and 'no native bfloat16'}
    for name, row in rows.items():
        combination = name.rsplit('_', 1)[0]
        if missing.get(combination):
            assert row['ours_s'] is None and missing[combination] in row['note'], name
            continue
        assert _positive(row['ours_s']) and _positive(row['baseline_s']), name
        assert 'images/s' in row['note'] and row['median'] <= row['agreement']
        if combination in ('pytorch_fp32', 'openvino_fp32'):
            assert row['agreement'] <= 0.01, name
        if name.endswith('_model'):
            assert row['ap_fp32'] >= 0.25 and row['ap'] >= row['ap_fp32'] - 0.01, name
    assert report['env']['cpu'] and 'flags' in report['env']
