"""TimeBudgetHook with mmengine's Runner on a toy model whose iterations sleep a known time."""
import pytest
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import DefaultScope

from hrnet_plugin.engine import TIME_BUDGET_KEY, TimeBudgetHook

from .sleepy_runner import SleepyModel, sleepy_runner


def test_configs_name_it_in_the_plugin_scope():
    # As the Runner builds custom_hooks under the configs' default scope.
    with DefaultScope.overwrite_default_scope('mmpose'):
        hook = MMENGINE_HOOKS.build(dict(type='hrnet_plugin.TimeBudgetHook', minutes=1))
    assert isinstance(hook, TimeBudgetHook)


def test_plans_the_run_and_its_schedule_to_the_budget(tmp_path):
    hook = TimeBudgetHook(minutes=0.05, num_evaluations=None)
    runner = sleepy_runner(tmp_path, SleepyModel(delay=0.05), [hook])
    runner.train()
    state = runner.message_hub.get_info(TIME_BUDGET_KEY)
    # 3 s at ~0.05 s per iteration: ~60 iterations, planned after 10; the plan, not the hard
    # stop, ended the run, about when the budget ran out.
    assert 40 <= runner.iter <= 62
    assert state['max_iters'] == runner.iter == runner.train_loop.max_iters
    assert 2.5 <= state['elapsed'] <= 3.0 + 0.25
    warmup, cosine = runner.param_schedulers
    assert (warmup.end, cosine.end, cosine.T_max) == (3, runner.iter, runner.iter - 3)
    assert runner.optim_wrapper.get_lr()['lr'][0] < 1e-3  # the cosine reached its end
    assert (tmp_path / f'iter_{runner.iter}.pth').is_file()


def test_stops_when_the_budget_is_spent_and_saves_the_last_iteration(tmp_path):
    # Iterations become 8x slower after the plan: only the hard stop can keep the budget.
    model = SleepyModel(delay=0.025, slow_from=15, slow_delay=0.2)
    runner = sleepy_runner(tmp_path, model, [TimeBudgetHook(minutes=0.05, num_evaluations=None)])
    runner.train()
    state = runner.message_hub.get_info(TIME_BUDGET_KEY)
    assert runner.iter < state['max_iters']  # the plan (made at full speed) was cut short
    assert 3.0 <= state['elapsed'] <= 3.0 + 0.5  # stopped within the iteration after 3 s
    assert runner.iter == model.steps < 40
    assert (tmp_path / f'iter_{runner.iter}.pth').is_file()


def test_reserves_time_for_the_validations(tmp_path):
    hook = TimeBudgetHook(minutes=0.08, num_evaluations=3)
    runner = sleepy_runner(tmp_path, SleepyModel(delay=0.05), [hook], val_seconds=0.5)
    runner.train()
    state = runner.message_hub.get_info(TIME_BUDGET_KEY)
    # 4.8 s: three validations (the last one at the end) cost 1.5 s of it.
    assert state['val_interval'] is not None
    assert runner.iter == state['max_iters']
    assert 4.0 <= state['elapsed'] <= 4.8 + 0.3
    assert state['train_iters'] * 0.05 == pytest.approx(state['train_seconds'], rel=0.3)
    assert runner.iter <= (4.8 - 1.0) / 0.05
