"""ProgressBarHook: the expected end of training, and the bar of a real Runner's run."""
import re

import pytest

from hrnet_plugin.engine import TIME_BUDGET_KEY, ProgressBarHook, TimeBudgetHook
from hrnet_plugin.engine.progress_bar_hook import expected_seconds_left

from .sleepy_runner import SleepyModel, sleepy_runner


def _budget(elapsed: float, train_iters: int = 10, train_seconds: float = 5.0,
            val_interval=None, val_seconds: float = 0.0) -> dict:
    return dict(budget=100.0, elapsed=elapsed, train_seconds=train_seconds,
                train_iters=train_iters, max_iters=30, val_interval=val_interval,
                val_seconds=val_seconds)


def test_expected_end_without_a_budget_follows_the_rate():
    assert expected_seconds_left(10, 20, None, rate=2.0) == 5.0
    assert expected_seconds_left(10, 20, None, rate=None) is None


def test_expected_end_under_a_budget():
    # 0.5 s per training iteration (5 s for 10), 20 iterations left: 10 s.
    assert expected_seconds_left(10, 30, _budget(elapsed=50), rate=9.0) == 10.0
    # Plus the validations at iterations 20 and 30, 2 s each.
    assert expected_seconds_left(10, 30, _budget(50, val_interval=10, val_seconds=2),
                                 rate=None) == 14.0
    # Never later than the budget's end (100 s, 95 spent) ...
    assert expected_seconds_left(10, 30, _budget(elapsed=95), rate=None) == 5.0
    # ... which is all there is before the speed is measured.
    assert expected_seconds_left(0, 30, _budget(elapsed=1, train_iters=0, train_seconds=0),
                                 rate=None) == 99.0


def test_bar_of_a_time_boxed_run_shows_loss_metric_budget_and_end(tmp_path, capsys):
    hooks = [TimeBudgetHook(minutes=0.05, num_evaluations=2),
             ProgressBarHook(metric='score', mininterval=0)]
    runner = sleepy_runner(tmp_path, SleepyModel(delay=0.05), hooks, val_seconds=0.2)
    runner.train()
    state = runner.message_hub.get_info(TIME_BUDGET_KEY)
    last = capsys.readouterr().err.split('\r')[-1]
    # The bar ends at the planned last iteration, with the validation's metric (1.0) shown.
    assert re.search(rf'\b{runner.iter}/{state["max_iters"]}\b', last), last
    for field in ('loss=', 'score=1.000', 'budget=0:0', 'ends='):
        assert field in last, last


@pytest.mark.bad_input('ProgressBarHook with a loss window < 1 or a negative redraw interval',
                       'refused')
def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='loss_window must be >= 1, got 0'):
        ProgressBarHook(loss_window=0)
    with pytest.raises(ValueError, match='mininterval must be >= 0, got -1'):
        ProgressBarHook(mininterval=-1)
