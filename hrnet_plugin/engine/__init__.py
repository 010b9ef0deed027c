"""Training hooks of the plugin (``hrnet_plugin.<Name>`` in configs)."""
from .progress_bar_hook import ProgressBarHook
from .time_budget_hook import HOOKS, TimeBudgetHook

__all__ = ['HOOKS', 'ProgressBarHook', 'TimeBudgetHook']
