"""One benchmark run: every row, the model's size and the machine, as one report."""
import datetime
import json
import logging
import platform
import tempfile
from pathlib import Path
from typing import Optional, Union

import torch
from mmengine.logging import MMLogger
from mmpose.apis import init_model

from hrnet_plugin.deploy import heatmap_model
from hrnet_plugin.deploy.fast_inference import cpu_has_native_bf16
from hrnet_plugin.utils import atomic_write_text, check_writable_dir

from .comparison import Comparison
from .complexity import model_complexity
from .rows import print_table


def run_benchmark(config: str, data_root: Union[str, Path], checkpoint: Optional[str] = None,
                  device: str = 'cpu', batch_size: int = 8, precision: str = 'fp32',
                  compare_mmpose: bool = False, repeats: int = 3,
                  threads: Optional[int] = None, json_path: Optional[str] = None) -> dict:
    """Measure every row (``Comparison``), print the table and return the report.

    Args:
        config: config file of a top-down heatmap model.
        data_root: folder of the COCO samples (``coco_samples``).
        checkpoint: weights; None: seeded random weights with calibrated BatchNorms.
        device: 'cpu' or 'cuda'.
        batch_size: batch of the forward, flip and training rows.
        precision: 'fp32', 'bf16' or 'fp16' (CUDA only) of our optimised model.
        compare_mmpose: time mmpose's side too (else the baseline columns are None).
        repeats: timed calls per row (cheap rows take more).
        threads: torch threads (None: torch's default).
        json_path: also write the report there (json).
    Returns:
        dict(config, precision, batch_size, repeats, checkpoint, env, model, rows).
    """
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    # mmengine logs every initialised parameter and loaded checkpoint; the table is the output.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as workdir:
        bench = Comparison(config, workdir, Path(data_root), checkpoint=checkpoint,
                           device=device, batch_size=batch_size, precision=precision,
                           compare_mmpose=compare_mmpose, repeats=repeats)
        rows = bench.model_rows()
        rows.update(bench.codec_rows())
        rows['pipeline'] = bench.pipeline_row()
        rows['e2e'] = bench.e2e_row()
        rows[f'train_b{batch_size}'] = bench.train_row()
        rows.update(bench.onnx_rows())
        model = init_model(bench.ours_cfg, bench.checkpoint, device='cpu')
        report = dict(
            config=config, precision=precision, batch_size=batch_size, repeats=repeats,
            checkpoint=checkpoint or 'random (calibrated BN)',
            env=dict(device=str(bench.device), torch=torch.__version__,
                     threads=torch.get_num_threads(),
                     cpu=platform.processor() or platform.machine(),
                     cpu_native_bf16=cpu_has_native_bf16(),
                     date=datetime.date.today().isoformat()),
            model=model_complexity(heatmap_model(model, flip=False), bench.inputs[:1].cpu()),
            rows=rows)
    print_table(report)
    if json_path:
        check_writable_dir(Path(json_path).parent)
        atomic_write_text(json_path, json.dumps(report, indent=1))
    return report
