"""A wall-clock budget for iteration-based training: plan the run to fit it, stop when it is spent.

The plan lives in the message hub, which mmengine saves in every checkpoint and restores on
``resume``, so an interrupted run continues the same schedule with the time it has left.
"""
import math
import time
from typing import Any, Dict, Optional

from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop

from hrnet_plugin.registry import HOOKS

#: Message hub key of the budget's state, a dict: ``budget`` and ``elapsed`` seconds
#: (validations included); ``train_seconds`` spent in ``train_iters`` timed iterations (without
#: validations, nor the first iteration of each process); the plan, ``max_iters`` and
#: ``val_interval``; and ``val_seconds``, the duration of the last validation.
TIME_BUDGET_KEY = 'time_budget'


@HOOKS.register_module()
class TimeBudgetHook(Hook):
    """Fits an iteration-based training run into ``minutes`` of wall-clock time.

    The config's ``train_cfg.max_iters`` is an upper bound. After ``calibration_iters``
    iterations the hook measures the seconds per training iteration (data loading included)
    and sets ``max_iters`` to what fits in the rest of the budget. It re-plans after every
    validation, reserving the measured validation time for the validations still to come. The
    iteration-based parameter schedulers that ended at the old ``max_iters`` are stretched or
    shrunk with it (``end`` and ``T_max``/``total_iters``), so a cosine or polynomial decay
    still reaches its end at the last iteration.

    Whatever the plan, once the budget is spent the current iteration becomes the last one:
    the loop ends as it does at ``max_iters`` (``CheckpointHook`` saves the last checkpoint,
    the final validation runs).

    The clock runs from the first training iteration of each process (model building and, on
    resume, mmengine's replay of the dataloader are not counted) and adds up across resumed
    runs.

    Args:
        minutes: The budget of training, validations during training included.
        calibration_iters: Iterations timed before the first plan (the process's first
            iteration, slowed by worker start-up and memory allocation, is not timed).
        num_evaluations: Validations spread evenly over the first plan (the last at the end of
            the run; later plans keep the interval); None keeps the config's ``val_interval``.
    """

    priority = 'NORMAL'  # before CheckpointHook (VERY_LOW), which must see the last iteration

    def __init__(self, minutes: float, calibration_iters: int = 10,
                 num_evaluations: Optional[int] = 4) -> None:
        if not minutes > 0:
            raise ValueError(f'TimeBudgetHook: minutes must be > 0, got {minutes}')
        if calibration_iters < 1:
            raise ValueError(
                f'TimeBudgetHook: calibration_iters must be >= 1, got {calibration_iters}')
        if num_evaluations is not None and num_evaluations < 1:
            raise ValueError(
                f'TimeBudgetHook: num_evaluations must be >= 1 or None, got {num_evaluations}')
        self.budget = 60.0 * minutes
        self.calibration_iters = calibration_iters
        self.num_evaluations = num_evaluations
        self._state: Dict[str, Any] = {}
        self._clock_start: Optional[float] = None
        self._elapsed_before = 0.0  # seconds spent by the earlier processes of a resumed run
        self._val_start = 0.0
        self._timed_iters = 0  # iterations of this process whose time is in _timed_seconds
        self._timed_seconds = 0.0
        self._last_iter_end: Optional[float] = None
        self._max_iters_cap = 0
        self._training = False  # validations outside runner.train() are not the budget's

    def before_train(self, runner) -> None:
        loop = runner.train_loop
        if not isinstance(loop, IterBasedTrainLoop):
            raise TypeError('TimeBudgetHook needs an iteration-based loop '
                            f'(train_cfg.type=IterBasedTrainLoop), got {type(loop).__name__}')
        self._max_iters_cap = loop.max_iters
        self._training = True
        resumed = runner.message_hub.get_info(TIME_BUDGET_KEY)
        self._state = dict(budget=self.budget, elapsed=0.0, train_seconds=0.0, train_iters=0,
                           max_iters=None, val_interval=None, val_seconds=0.0)
        if resumed is not None:
            # This run's budget replaces the earlier one; time already spent still counts.
            self._state.update({k: v for k, v in resumed.items() if k != 'budget'})
            if self._state['max_iters'] is not None:
                self._apply_plan(runner, min(self._state['max_iters'], self._max_iters_cap))
            if self._state['val_interval'] is not None:
                _set_val_interval(loop, self._state['val_interval'])
        self._publish(runner)

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        if self._clock_start is None:
            self._clock_start = time.perf_counter()
            self._elapsed_before = self._state['elapsed']

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None,
                         outputs: Optional[dict] = None) -> None:
        now = time.perf_counter()
        if self._last_iter_end is not None:
            # From the end of the previous iteration: includes loading this batch.
            self._timed_iters += 1
            self._timed_seconds += now - self._last_iter_end
            self._state['train_seconds'] += now - self._last_iter_end
            self._state['train_iters'] += 1
        self._last_iter_end = now
        self._state['elapsed'] = self._elapsed()
        done = runner.iter + 1
        if self._state['elapsed'] >= self.budget:
            if runner.train_loop.max_iters > done:
                runner.logger.info(f'Time budget of {self.budget / 60:g} min spent: stopping '
                                   f'after iteration {done}')
                runner.train_loop._max_iters = done
        elif self._timed_iters == self.calibration_iters:
            self._plan(runner, done)
        self._publish(runner)

    def before_val(self, runner) -> None:
        self._val_start = time.perf_counter()

    def after_val(self, runner) -> None:
        if not self._training:
            return
        self._state['val_seconds'] = time.perf_counter() - self._val_start
        # Validation must not count as the next iteration's time.
        self._last_iter_end = time.perf_counter()
        self._state['elapsed'] = self._elapsed()
        done = runner.iter
        if done < runner.train_loop.max_iters and self._timed_iters >= self.calibration_iters:
            self._plan(runner, done)
        self._publish(runner)

    def after_train(self, runner) -> None:
        self._training = False

    def _elapsed(self) -> float:
        return self._elapsed_before + time.perf_counter() - self._clock_start

    def _publish(self, runner) -> None:
        runner.message_hub.update_info(TIME_BUDGET_KEY, dict(self._state))

    def _plan(self, runner, done: int) -> None:
        """Sets max_iters, and the validation interval, to fit the budget left after ``done``
        iterations."""
        seconds_per_iter = self._timed_seconds / self._timed_iters
        time_left = self.budget - self._state['elapsed']
        max_iters = self._fit(done, time_left / seconds_per_iter)
        if self.num_evaluations is not None:
            if self._state['val_interval'] is None:
                # Set once: a later change would move the validations still to come, and could
                # put one right after another.
                self._state['val_interval'] = max(1, math.ceil(max_iters / self.num_evaluations))
                _set_val_interval(runner.train_loop, self._state['val_interval'])
            # One step towards the fixed point "the iterations that fit once their validations
            # are paid for": count the validations of the plan without them, pay for them.
            vals = validations_between(done, max_iters, self._state['val_interval'])
            max_iters = self._fit(
                done, (time_left - vals * self._state['val_seconds']) / seconds_per_iter)
        self._apply_plan(runner, max_iters)
        runner.logger.info(f'Time budget: {seconds_per_iter:.3f} s/iteration, '
                           f'{time_left:.0f} s left: training for {max_iters} iterations')

    def _fit(self, done: int, iters: float) -> int:
        """The loop's max_iters to train about ``iters`` more after ``done`` (at least one)."""
        return min(self._max_iters_cap, done + max(1, int(iters)))

    def _apply_plan(self, runner, max_iters: int) -> None:
        """Moves the end of the loop, and of the schedulers that ended with it, to max_iters."""
        loop = runner.train_loop
        old = loop.max_iters
        loop._max_iters = max_iters
        self._state['max_iters'] = max_iters
        schedulers = runner.param_schedulers or []
        if isinstance(schedulers, dict):
            schedulers = [s for group in schedulers.values() for s in group]
        for scheduler in schedulers:
            if scheduler.by_epoch or scheduler.end != old or max_iters <= scheduler.begin:
                continue
            scheduler.end = max_iters
            # mmengine's own definitions of these lengths from begin/end.
            if hasattr(scheduler, 'T_max'):
                scheduler.T_max = max_iters - scheduler.begin
            if hasattr(scheduler, 'total_iters'):
                scheduler.total_iters = max_iters - scheduler.begin - 1


def _set_val_interval(loop: IterBasedTrainLoop, interval: int) -> None:
    # The loop re-reads val_interval from its dynamic intervals at every iteration.
    loop.val_interval = interval
    loop.dynamic_milestones, loop.dynamic_intervals = [0], [interval]


def validations_between(done: int, end: int, interval: int) -> int:
    """Validations of an iteration-based loop after iteration ``done`` up to ``end``: every
    ``interval`` iterations, and at ``end``."""
    return end // interval - done // interval + (end % interval != 0)
