"""A one-line progress bar of iteration-based training, for runs watched from a terminal."""
from __future__ import annotations

import sys
import time
from typing import Any, Optional

from mmengine.hooks import Hook

from .time_budget_hook import HOOKS, INFO_KEY


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f'{minutes}:{seconds:02d}'


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Shows training progress on stderr: a bar, iterations, time and the smoothed loss.

    On a terminal the line is redrawn in place; elsewhere (a pipe, a file) a line is written at
    every tenth of the run. With a :class:`TimeBudgetHook` the time shown is the budget's
    (elapsed / budget, across resumed runs), else the time since this process started
    training. ``max_iters`` is read at every iteration, since a time budget moves it.

    Args:
        width: Characters of the bar.
        refresh: Least seconds between two redraws on a terminal.
        loss_window: Iterations the shown loss is averaged over.
    """

    priority = 'LOW'  # after TimeBudgetHook (NORMAL) has planned this iteration

    def __init__(self, width: int = 30, refresh: float = 0.2, loss_window: int = 20) -> None:
        self.width = width
        self.refresh = refresh
        self.loss_window = loss_window
        self._start: Optional[float] = None
        self._last_draw = 0.0
        self._last_tenth = -1

    def before_train(self, runner) -> None:
        self._start = time.perf_counter()

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None,
                         outputs: Optional[dict] = None) -> None:
        done, total = runner.iter + 1, runner.train_loop.max_iters
        tty = sys.stderr.isatty()
        now = time.perf_counter()
        tenth = 10 * done // total
        if tty and (now - self._last_draw < self.refresh and done < total):
            return
        if not tty and tenth == self._last_tenth:
            return
        self._last_draw, self._last_tenth = now, tenth
        filled = self.width * done // total
        line = (f'[{"#" * filled}{"-" * (self.width - filled)}] {100 * done // total:3d}%  '
                f'iter {done}/{total}  {self._time(runner, now)}')
        loss = runner.message_hub.log_scalars.get('train/loss')
        if loss is not None:
            line += f'  loss {loss.mean(self.loss_window):.5f}'
        sys.stderr.write(f'\r{line}\033[K' if tty else f'{line}\n')
        sys.stderr.flush()

    def after_train(self, runner) -> None:
        if sys.stderr.isatty():
            sys.stderr.write('\n')

    def _time(self, runner, now: float) -> str:
        budget = runner.message_hub.get_info(INFO_KEY)
        if budget is None:
            return f'{_clock(now - self._start)} elapsed'
        return f'{_clock(budget["elapsed"])} / {_clock(budget["budget"])}'
