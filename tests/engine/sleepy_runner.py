"""A toy mmengine Runner whose training iterations and validations take a known time."""
import time
from pathlib import Path
from typing import List, Optional

import torch
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

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


def sleepy_runner(work_dir: Path, model: nn.Module, hooks: List[Hook],
                  val_seconds: Optional[float] = None) -> Runner:
    """An iteration-based Runner of ``model`` with ``hooks``, at most ``CAP`` iterations
    (warm-up then cosine), and a validation taking ``val_seconds`` when given."""
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
        custom_hooks=hooks, log_processor=dict(by_epoch=False),
        randomness=dict(seed=0), **validation)
