"""Training machinery of the plugin: hooks and the CPU distributed wrapper (``hrnet_plugin.<Name>``
in configs), checkpoint files that survive crashes, the checks and process-group setup of runs
started by tools/train.py and tools/test.py."""
from .atomic_local_backend import ATOMIC_LOCAL_BACKEND, AtomicLocalBackend
from .checkpoint_files import is_complete_checkpoint, recover_last_checkpoint
from .cpu_distributed import setup_cpu_distributed
from .cpu_distributed_data_parallel import CPUDistributedDataParallel
from .progress_bar_hook import ProgressBarHook
from .resumable_checkpoint_hook import ResumableCheckpointHook
from .run_config import check_run_config, load_run_config
from .time_budget_hook import TIME_BUDGET_KEY, TimeBudgetHook

__all__ = ['ATOMIC_LOCAL_BACKEND', 'AtomicLocalBackend', 'CPUDistributedDataParallel',
           'ProgressBarHook', 'ResumableCheckpointHook', 'TIME_BUDGET_KEY', 'TimeBudgetHook',
           'check_run_config', 'is_complete_checkpoint', 'load_run_config',
           'recover_last_checkpoint', 'setup_cpu_distributed']
