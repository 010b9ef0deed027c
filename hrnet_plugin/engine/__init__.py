"""Training machinery of the plugin: hooks and the CPU distributed wrapper (``hrnet_plugin.<Name>``
in configs), and the process-group setup of distributed runs without CUDA."""
from .cpu_distributed import setup_cpu_distributed
from .cpu_distributed_data_parallel import CPUDistributedDataParallel
from .progress_bar_hook import ProgressBarHook
from .run_config import load_run_config
from .time_budget_hook import TIME_BUDGET_KEY, TimeBudgetHook

__all__ = ['CPUDistributedDataParallel', 'ProgressBarHook', 'TIME_BUDGET_KEY', 'TimeBudgetHook',
           'load_run_config', 'setup_cpu_distributed']
