"""One benchmark run: every row, the model's size and the machine, as one report."""
import datetime
import json
import logging
import tempfile
from pathlib import Path
from typing import Optional, Sequence, Union

import torch
from mmengine.logging import MMLogger
from mmpose.apis import init_model

from hrnet_plugin.deploy import MAX_CALIBRATION_CROPS, heatmap_model
from hrnet_plugin.utils import atomic_write_text, check_writable_dir

from .backend_rows import BackendRows, calibration_dataset
from .comparison import Comparison
from .complexity import model_complexity
from .machine import machine_info
from .rows import print_table

#: Row groups of ``Comparison`` (see tools/benchmark.py).
ROW_GROUPS = ('model', 'codec', 'pipeline', 'e2e', 'train', 'onnx')


def run_benchmark(config: str, data_root: Union[str, Path], checkpoint: Optional[str] = None,
                  device: str = 'cpu', batch_size: int = 8, precision: str = 'fp32',
                  compare_mmpose: bool = False, repeats: int = 3,
                  threads: Optional[int] = None, json_path: Optional[str] = None,
                  groups: Sequence[str] = ROW_GROUPS, backends: Sequence[str] = (),
                  precisions: Sequence[str] = ('fp32', ), val_ap: bool = False,
                  calibration_size: int = MAX_CALIBRATION_CROPS) -> dict:
    """Measure the rows (``Comparison``, ``BackendRows``), print the table and return the
    report.

    Args:
        config: config file of a top-down heatmap model.
        data_root: folder of the COCO samples (``coco_samples``).
        checkpoint: weights; None: seeded random weights with calibrated BatchNorms.
        device: 'cpu' or 'cuda'.
        batch_size: batch of the forward, flip, training and backend rows.
        precision: 'fp32', 'bf16' or 'fp16' (CUDA only) of our optimised model.
        compare_mmpose: time mmpose's side too (else the baseline columns are None).
        repeats: timed calls per row (cheap rows take more).
        threads: torch threads (None: torch's default).
        json_path: also write the report there (json).
        groups: row groups of ``ROW_GROUPS`` to measure.
        backends, precisions: the backend rows: each backend in each precision (a combination
            that does not exist, or bf16 without native support, gets a row saying why).
        val_ap: add the COCO AP on the config's validation set to the backend rows.
        calibration_size: int8 calibration crops (``calibration_dataset``).
    Returns:
        dict(config, precision, batch_size, repeats, checkpoint, env, model, rows).
    """
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    # mmengine logs every initialised parameter and loaded checkpoint; the table is the output.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    load_before = machine_info()['load']
    with tempfile.TemporaryDirectory() as workdir:
        bench = Comparison(config, workdir, Path(data_root), checkpoint=checkpoint,
                           device=device, batch_size=batch_size, precision=precision,
                           compare_mmpose=compare_mmpose, repeats=repeats)
        measure = dict(model=bench.model_rows, codec=bench.codec_rows, onnx=bench.onnx_rows,
                       pipeline=lambda: dict(pipeline=bench.pipeline_row()),
                       e2e=lambda: dict(e2e=bench.e2e_row()),
                       train=lambda: {f'train_b{batch_size}': bench.train_row()})
        rows = {}
        for group in groups:
            rows.update(measure[group]())
        if backends:
            combinations = [(b, p) for b in backends for p in precisions]
            rows.update(BackendRows(bench, combinations, calibration_dataset(bench.cfg, data_root),
                                    calibration_size).rows(val_ap))
        model = init_model(bench.ours_cfg, bench.checkpoint, device='cpu')
        report = dict(
            config=config, precision=precision, batch_size=batch_size, repeats=repeats,
            checkpoint=checkpoint or 'random (calibrated BN)',
            env=dict(device=str(bench.device), torch=torch.__version__,
                     threads=torch.get_num_threads(), date=datetime.date.today().isoformat(),
                     load_before=load_before, **machine_info()),
            model=model_complexity(heatmap_model(model, flip=False), bench.inputs[:1].cpu()),
            rows=rows)
    print_table(report)
    if json_path:
        check_writable_dir(Path(json_path).parent)
        atomic_write_text(json_path, json.dumps(report, indent=1))
    return report
