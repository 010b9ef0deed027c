"""The machine a benchmark ran on: CPU model, the instruction sets reduced precision needs,
what OpenVINO can run natively, and the load."""
import os
import platform
from pathlib import Path
from typing import Dict

from hrnet_plugin.deploy import cpu_has_native_bf16, openvino_capabilities

#: CPU flags (Linux /proc/cpuinfo names) that decide the speed of bf16 and int8.
PRECISION_FLAGS = ('avx2', 'fma', 'avx512f', 'avx512_bf16', 'avx512_vnni', 'avx_vnni',
                   'amx_bf16', 'amx_int8', 'amx_tile')


def _cpuinfo() -> Dict[str, str]:
    """The first processor's fields of /proc/cpuinfo (empty elsewhere than on Linux)."""
    path = Path('/proc/cpuinfo')
    if not path.is_file():
        return {}
    fields = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            break
        name, _, value = line.partition(':')
        fields[name.strip()] = value.strip()
    return fields


def machine_info() -> dict:
    """dict(cpu, cores, flags (those of ``PRECISION_FLAGS`` present), native_bf16 (torch's
    view), openvino (OpenVINO's OPTIMIZATION_CAPABILITIES), load (1-minute load average))."""
    info = _cpuinfo()
    flags = set(info.get('flags', '').split())
    return dict(cpu=info.get('model name') or platform.processor() or platform.machine(),
                cores=os.cpu_count(), flags=[f for f in PRECISION_FLAGS if f in flags],
                native_bf16=cpu_has_native_bf16(),
                openvino=sorted(openvino_capabilities()),
                load=os.getloadavg()[0] if hasattr(os, 'getloadavg') else None)
