"""The interleaved timer: candidates called in turns, medians reported."""
import statistics
import time
from typing import Callable, Dict, List, Mapping, Tuple, Union

import torch


def time_interleaved(fns: Mapping[str, Callable[[], object]], repeats: int, warmup: int = 1,
                     device: Union[str, torch.device] = 'cpu'
                     ) -> Tuple[Dict[str, float], Dict[str, object]]:
    """Median wall time in seconds of each callable, called in turns (A B A B ...), so the
    slow drifts of a shared machine hit every candidate alike.

    On CUDA the device is synchronised around every call (kernels run asynchronously).

    Args:
        fns: name -> callable without arguments.
        repeats: timed calls of each callable (>= 1), after ``warmup`` untimed ones.
    Returns:
        (median seconds per name, what each callable returned on its last call).
    """
    if repeats < 1:
        raise ValueError(f'repeats must be >= 1, got {repeats}')
    sync = torch.cuda.synchronize if torch.device(device).type == 'cuda' else (lambda: None)
    outputs = {}
    for _ in range(warmup):
        for name, fn in fns.items():
            outputs[name] = fn()
    times: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            sync()
            start = time.perf_counter()
            outputs[name] = fn()
            sync()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}, outputs
