"""TimeBudgetHook with mmengine's Runner on a toy model whose iterations sleep a known time."""
import time
from pathlib import Path
from typing import Optional

import pytest
import torch
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.model import BaseModel
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from torch import nn

from hrnet_plugin.engine import TIME_BUDGET_KEY, TimeBudgetHook

CAP = 10_000  # the config's max_iters: an upper bound the budget brings down


class SleepyModel(BaseModel):
    """A linear model whose training step sleeps ``delay`` seconds (``slow_delay`` from
    iteration ``slow_from`` on), so the time per iteration is known."""

    def __init__(self, delay: float, slow_from: Optional[int] = None,
                 slow_delay: float = 0.0) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)
        self.delay, self.slow_from, self.slow_delay = delay, slow_from, slow_delay
        self.steps = 0

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            slow = self.slow_from is not None and self.steps >= self.slow_from
            time.sleep(self.slow_delay if slow else self.delay)
            self.steps += 1
            return {'loss': self.linear(inputs).square().mean()}
        return [{'out': float(v)} for v in self.linear(inputs)]


class SleepyMetric(BaseMetric):
    """A metric that takes ``seconds`` to compute."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def process(self, data_batch, data_samples) -> None:
        self.results.append(0)

    def compute_metrics(self, results) -> dict:
        time.sleep(self.seconds)
        return {'score': 1.0}


def _runner(work_dir: Path, model: nn.Module, hook: TimeBudgetHook,
            val_seconds: Optional[float] = None) -> Runner:
    torch.manual_seed(0)
    data = [dict(inputs=torch.randn(2)) for _ in range(16)]
    loader = dict(dataset=data, batch_size=4, num_workers=0,
                  sampler=dict(type='InfiniteSampler', shuffle=True),
                  collate_fn=dict(type='default_collate'))
    validation = {} if val_seconds is None else dict(
        val_dataloader={**loader, 'sampler': dict(type='DefaultSampler', shuffle=False)},
        val_evaluator=Evaluator(SleepyMetric(val_seconds)), val_cfg=dict())
    return Runner(
        model=model, work_dir=str(work_dir), train_dataloader=loader,
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=CAP, val_interval=CAP),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        param_scheduler=[
            dict(type='LinearLR', begin=0, end=3, start_factor=0.1, by_epoch=False),
            dict(type='CosineAnnealingLR', begin=3, end=CAP, by_epoch=False)],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', by_epoch=False,
                                           interval=CAP)),
        custom_hooks=[hook], log_processor=dict(by_epoch=False),
        randomness=dict(seed=0), **validation)


def test_configs_name_it_in_the_plugin_scope():
    # As the Runner builds custom_hooks under the configs' default scope.
    with DefaultScope.overwrite_default_scope('mmpose'):
        hook = MMENGINE_HOOKS.build(dict(type='hrnet_plugin.TimeBudgetHook', minutes=1))
    assert isinstance(hook, TimeBudgetHook)


def test_plans_the_run_and_its_schedule_to_the_budget(tmp_path):
    runner = _runner(tmp_path, SleepyModel(delay=0.05), TimeBudgetHook(minutes=0.05,
                                                                       num_evaluations=None))
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
    runner = _runner(tmp_path, model, TimeBudgetHook(minutes=0.05, num_evaluations=None))
    runner.train()
    state = runner.message_hub.get_info(TIME_BUDGET_KEY)
    assert runner.iter < state['max_iters']  # the plan (made at full speed) was cut short
    assert 3.0 <= state['elapsed'] <= 3.0 + 0.5  # stopped within the iteration after 3 s
    assert runner.iter == model.steps < 40
    assert (tmp_path / f'iter_{runner.iter}.pth').is_file()


def test_reserves_time_for_the_validations(tmp_path):
    hook = TimeBudgetHook(minutes=0.08, num_evaluations=3)
    runner = _runner(tmp_path, SleepyModel(delay=0.05), hook, val_seconds=0.5)
    runner.train()
    state = runner.message_hub.get_info(TIME_BUDGET_KEY)
    # 4.8 s: three validations (the last one at the end) cost 1.5 s of it.
    assert state['val_interval'] is not None
    assert runner.iter == state['max_iters']
    assert 4.0 <= state['elapsed'] <= 4.8 + 0.3
    assert state['train_iters'] * 0.05 == pytest.approx(state['train_seconds'], rel=0.3)
    assert runner.iter <= (4.8 - 1.0) / 0.05
