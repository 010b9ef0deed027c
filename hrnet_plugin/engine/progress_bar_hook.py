"""A tqdm progress bar of iteration-based training, for runs watched from a terminal."""
import time
from typing import Any, Dict, Optional

from mmengine.hooks import Hook
from tqdm import tqdm

from hrnet_plugin.registry import HOOKS

from .time_budget_hook import TIME_BUDGET_KEY, validations_between


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Shows training progress on stderr with ``tqdm``: iterations, rate, the smoothed loss, the
    last validation's metric, the clock time at which training is expected to end and, under a
    :class:`TimeBudgetHook`, the budget spent.

    The expected end is the remaining iterations at the measured time per training iteration
    (the budget's, without validations; else tqdm's smoothed rate), and no later than the end
    of the budget.

    ``max_iters`` is read at every iteration, since a time budget moves it.

    Args:
        metric: the validation metric shown once a validation has run.
        loss_window: iterations the shown loss is averaged over.
        mininterval: least seconds between two redraws (tqdm's ``mininterval``).
    """

    priority = 'LOW'  # after TimeBudgetHook (NORMAL) has planned this iteration

    def __init__(self, metric: str = 'coco/AP', loss_window: int = 20,
                 mininterval: float = 0.5) -> None:
        if loss_window < 1:
            raise ValueError(f'ProgressBarHook: loss_window must be >= 1, got {loss_window}')
        if not mininterval >= 0:
            raise ValueError(f'ProgressBarHook: mininterval must be >= 0, got {mininterval}')
        self.metric = metric
        self.loss_window = loss_window
        self.mininterval = mininterval
        self._bar: Optional[tqdm] = None
        self._last_metric: Optional[float] = None

    def before_train(self, runner) -> None:
        self._bar = tqdm(total=runner.train_loop.max_iters, initial=runner.iter, unit='iter',
                         mininterval=self.mininterval, dynamic_ncols=True, leave=True)

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None,
                         outputs: Optional[dict] = None) -> None:
        self._bar.total = runner.train_loop.max_iters
        self._bar.set_postfix(self._postfix(runner), refresh=False)
        self._bar.update(runner.iter + 1 - self._bar.n)

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if metrics and self.metric in metrics:
            self._last_metric = float(metrics[self.metric])

    def after_train(self, runner) -> None:
        self._bar.close()

    def _postfix(self, runner) -> Dict[str, str]:
        postfix = {}
        loss = runner.message_hub.log_scalars.get('train/loss')
        if loss is not None:
            postfix['loss'] = f'{loss.mean(self.loss_window):.5f}'
        if self._last_metric is not None:
            postfix[self.metric.split('/')[-1]] = f'{self._last_metric:.3f}'
        budget = runner.message_hub.get_info(TIME_BUDGET_KEY)
        if budget is not None:
            postfix['budget'] = f'{_clock(budget["elapsed"])}/{_clock(budget["budget"])}'
        left = expected_seconds_left(runner.iter + 1, runner.train_loop.max_iters, budget,
                                     self._bar.format_dict.get('rate'))
        if left is not None:
            postfix['ends'] = time.strftime('%H:%M:%S', time.localtime(time.time() + left))
        return postfix


def expected_seconds_left(done: int, max_iters: int, budget: Optional[Dict[str, Any]],
                          rate: Optional[float]) -> Optional[float]:
    """Seconds until training ends, after ``done`` of ``max_iters`` iterations.

    The iterations left at the budget's measured seconds per training iteration (else at
    ``rate``, tqdm's smoothed iterations per second), plus the planned validations at the
    duration of the last one, and no more than the budget left.

    Args:
        done: iterations done.
        max_iters: the loop's current last iteration.
        budget: :data:`TIME_BUDGET_KEY`'s state of a :class:`TimeBudgetHook`, or None.
        rate: iterations per second, or None before any was measured.

    Returns:
        Seconds, or None while there is neither a measured speed nor a budget.
    """
    seconds_per_iter = None
    if budget is not None and budget['train_iters']:
        seconds_per_iter = budget['train_seconds'] / budget['train_iters']
    elif rate:
        seconds_per_iter = 1 / rate
    left = None
    if seconds_per_iter is not None:
        left = (max_iters - done) * seconds_per_iter
        if budget is not None and budget['val_interval']:
            left += budget['val_seconds'] * validations_between(done, max_iters,
                                                                budget['val_interval'])
    if budget is not None:
        budget_left = max(budget['budget'] - budget['elapsed'], 0.0)
        left = budget_left if left is None else min(left, budget_left)
    return left


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f'{minutes}:{seconds:02d}'
