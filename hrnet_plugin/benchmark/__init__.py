"""Benchmark of the plugin against mmpose (and of the exported model against PyTorch).

Modules: ``timer`` (interleaved medians), ``rows`` (report rows, agreement, table),
``mmpose_configs`` (plugin -> mmpose component types), ``coco_samples`` (sample data),
``random_weights`` (seeded weights with calibrated BatchNorms), ``complexity`` (mmengine's
multiply-add count), ``comparison`` (the rows), ``run`` (one run, one report).
"""
from .complexity import model_complexity
from .random_weights import randomize_weights_
from .rows import keypoint_agreement, print_table, row
from .run import run_benchmark
from .timer import time_interleaved

__all__ = ['keypoint_agreement', 'model_complexity', 'print_table', 'randomize_weights_', 'row',
           'run_benchmark', 'time_interleaved']
