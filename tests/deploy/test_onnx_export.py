"""ONNX export of the heatmap graph: the flip test in the graph equals mmpose's flip test,
the exported file runs in onnxruntime like PyTorch, with a symbolic or a fixed batch."""
import onnx
import pytest
import torch
from mmpose.models.utils.tta import flip_heatmaps as mmpose_flip_heatmaps
from onnxruntime.capi.onnxruntime_pybind11_state import InvalidArgument

from hrnet_plugin.deploy import (
    OnnxRuntimeSession,
    export_and_check,
    heatmap_model,
    relative_max_error,
)
from hrnet_plugin.deploy.verification import CHECK_BATCH
from tests.models.tiny_topdown import (
    COCO_FLIP,
    HEATMAP_SIZE,
    INPUT_SIZE,
    build_tiny,
    single_thread,
)

pytestmark = pytest.mark.usefixtures(single_thread.__name__)


def _inputs(num: int) -> torch.Tensor:
    return torch.randn(num, 3, INPUT_SIZE[1], INPUT_SIZE[0],
                       generator=torch.Generator().manual_seed(4))


def test_flip_in_one_pass_equals_mmpose_flip_test():
    model = build_tiny(seed=3)   # test_cfg: flip_mode='heatmap', shift_heatmap=True
    x = _inputs(2)
    with torch.no_grad():
        got = heatmap_model(model, flip=True)(x)
        flipped = mmpose_flip_heatmaps(model._forward(x.flip(-1)), flip_mode='heatmap',
                                       flip_indices=COCO_FLIP, shift_heatmap=True)
        expected = (model._forward(x) + flipped) * 0.5
    assert got.shape == (2, 17, HEATMAP_SIZE[1], HEATMAP_SIZE[0])
    assert (got - expected).abs().max() <= 1e-6 * (expected.max() - expected.min())


def test_flip_needs_flip_indices():
    model = build_tiny()
    model.dataset_meta = {}
    with pytest.raises(ValueError, match='flip_indices'):
        heatmap_model(model, flip=True)


def test_dynamic_batch_export_runs_other_batch_sizes(tmp_path):
    path = tmp_path / 'tiny.onnx'
    model = build_tiny(seed=5)
    check = export_and_check(model, path, flip=True)
    assert check.error <= 1e-4
    assert len(check.inputs) == CHECK_BATCH   # not the traced batch
    assert sorted(p.name for p in tmp_path.iterdir()) == ['tiny.onnx']  # no temporary left
    graph = onnx.load(str(path)).graph
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'batch'
    with torch.no_grad():
        one = _inputs(1)
        assert relative_max_error(check.session(one), check.net(one)) <= 1e-4


def test_fixed_batch_export_refuses_other_batch_sizes(tmp_path):
    path = tmp_path / 'tiny.onnx'
    check = export_and_check(build_tiny(seed=5), path, batch=2)
    assert check.error <= 1e-4 and len(check.inputs) == 2
    with pytest.raises(InvalidArgument, match='index: 0 Got: 3 Expected: 2'):
        OnnxRuntimeSession(path)(_inputs(3))


def test_session_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.onnx'):
        OnnxRuntimeSession(tmp_path / 'missing.onnx')
