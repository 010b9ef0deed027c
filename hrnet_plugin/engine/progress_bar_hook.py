"""A tqdm progress bar of iteration-based training, for runs watched from a terminal."""
import time
from typing import Any, Dict, Optional

from mmengine.hooks import Hook
from tqdm import tqdm

from hrnet_plugin.registry import HOOKS

from .time_budget_hook import TIME_BUDGET_KEY


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Shows training progress on stderr with ``tqdm``: iterations, rate, the smoothed loss, the
    last validation's metric and, under a :class:`TimeBudgetHook`, the budget spent and the
    clock time at which the run is expected to end.

    ``max_iters`` is read at every iteration, since a time budget moves it.

    Args:
        metric: the validation metric shown once a validation has run.
        loss_window: iterations the shown loss is averaged over.
        mininterval: least seconds between two redraws (tqdm's ``mininterval``).
    """

    priority = 'LOW'  # after TimeBudgetHook (NORMAL) has planned this iteration

    def __init__(self, metric: str = 'coco/AP', loss_window: int = 20,
                 mininterval: float = 0.5) -> None:
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
            left = max(budget['budget'] - budget['elapsed'], 0.0)
            postfix['budget'] = f'{_clock(budget["elapsed"])}/{_clock(budget["budget"])}'
            postfix['ends'] = time.strftime('%H:%M:%S', time.localtime(time.time() + left))
        return postfix


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f'{minutes}:{seconds:02d}'
