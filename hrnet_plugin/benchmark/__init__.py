"""Benchmark of the plugin against mmpose (and of the exported models against PyTorch).

Modules: ``timer`` (interleaved medians), ``rows`` (report rows, agreement, table),
``mmpose_configs`` (plugin -> mmpose component types), ``coco_samples`` (sample data),
``random_weights`` (seeded weights with calibrated BatchNorms), ``complexity`` (mmengine's
multiply-add count), ``accuracy`` (COCO AP of any backend), ``machine`` (CPU and its
instruction sets), ``comparison`` (the rows against mmpose), ``backend_rows`` (each runtime
and precision against mmpose), ``run`` (one run, one report).
"""
from .accuracy import coco_ap
from .complexity import model_complexity
from .random_weights import randomize_weights_
from .rows import keypoint_agreement, print_table, row
from .run import ROW_GROUPS, run_benchmark
from .timer import time_interleaved

__all__ = ['ROW_GROUPS', 'coco_ap', 'keypoint_agreement', 'model_complexity', 'print_table',
           'randomize_weights_', 'row', 'run_benchmark', 'time_interleaved']
