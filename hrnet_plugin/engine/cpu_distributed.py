"""Distributed runs without CUDA: ``torchrun`` + ``--launcher pytorch`` on CPUs, over gloo.

mmengine 0.10's ``init_dist`` for the ``pytorch`` launcher always calls
``torch.cuda.set_device``, which fails on a machine without an NVIDIA driver, whatever backend
``env_cfg.dist_cfg`` names; the Runner skips ``init_dist`` when a process group already exists.
Its model wrapper then passes CUDA device ids to DistributedDataParallel, which torch rejects
for a CPU model. :func:`setup_cpu_distributed` handles both before the Runner is built.
"""
import datetime

import torch
import torch.distributed as dist
from mmengine.config import Config

from .cpu_distributed_data_parallel import CPUDistributedDataParallel


def setup_cpu_distributed(cfg: Config) -> bool:
    """Create a gloo process group and select the CPU model wrapper when CUDA is unavailable.

    Does nothing unless ``cfg.launcher`` is ``'pytorch'`` (the processes were started by
    ``torchrun``, which sets ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``) and
    CUDA is unavailable; on GPUs the Runner initialises the group itself.

    Args:
        cfg: the run's config, modified in place: ``model_wrapper_cfg`` is set unless the config
            chose its own wrapper.

    Returns:
        Whether the CPU setup applies.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return False
    if not dist.is_initialized():
        timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout')
        kwargs = {} if timeout is None else {'timeout': datetime.timedelta(seconds=timeout)}
        dist.init_process_group(backend='gloo', **kwargs)
    if cfg.get('model_wrapper_cfg') is None:
        # The settings mmengine uses for its default wrapper: buffers (BatchNorm statistics) are
        # not broadcast at every step; the SyncBuffersHook of the configs averages them.
        cfg.model_wrapper_cfg = {
            'type': f'hrnet_plugin.{CPUDistributedDataParallel.__name__}',
            'broadcast_buffers': False,
            'find_unused_parameters': cfg.get('find_unused_parameters', False)}
    return True
