"""mmengine's ``MMDistributedDataParallel`` for models that live on the CPU."""
from typing import Any, Optional, Sequence

from mmengine.model import MMDistributedDataParallel
from torch import nn

from hrnet_plugin.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that drops the device ids for a CPU model.

    mmengine's Runner passes ``device_ids=[LOCAL_RANK]`` to every DistributedDataParallel
    wrapper, while torch accepts device ids only for CUDA modules and raises for a CPU one.
    Gradients are averaged across processes exactly as on GPUs (here over gloo).

    Args:
        module: the model to wrap; its parameters are on the CPU.
        device_ids: ignored (what the Runner passes for GPUs).
        **kwargs: the other arguments of ``MMDistributedDataParallel``.
    """

    def __init__(self, module: nn.Module, device_ids: Optional[Sequence[int]] = None,
                 **kwargs: Any) -> None:
        del device_ids  # a CPU module must be wrapped without device ids
        super().__init__(module=module, device_ids=None, **kwargs)
