"""What Cloud Run requires of an instance with a GPU, read against the template a fix would
write (`drift.fix.gpu_floor`), so that a plan never writes what the API refuses. The GPU pages
(cloud.google.com/run/docs/configuring/services/gpu, …/jobs/gpu, …/workerpools/gpu): "You can
configure one GPU per Cloud Run instance. If you use sidecar containers, note that the GPU can
only be attached to one container."; "For L4 GPUs, you must use a minimum of 4 CPU and 16 GiB of
memory", "For NVIDIA RTX PRO 6000 Blackwell GPU, you must use a minimum of 20 CPU and 80 GiB of
memory"; a service: "You must use instance-based billing to use the GPU feature" (CPU always
allocated: no container with cpu_idle). CPU and memory are the instance's (every container's,
a container without a limit having the default: 1 CPU, 512 MiB). Regions and max instances
follow the project's quota: not judged here."""

from __future__ import annotations

from typing import Any

from drift.fields.allocation import throttled
from drift.units import parse_cpu, parse_memory, show_memory

GPU_PAGE = "cloud.google.com/run/docs/configuring/services/gpu"
GPU = "nvidia.com/gpu"
FLOORS = {"nvidia-rtx-pro-6000": (20_000, 80 * 2**30)}
L4_FLOOR = (4_000, 16 * 2**30)
WATCHED = ("gpu_type", "cpu", "memory", "cpu_throttling")
"""The settings the requirements are about."""


def has_gpu(template: Any) -> bool:
    """Whether a (raw protobuf) template asks for a GPU: a container's limit or a type."""
    limits = (c.resources.limits.get(GPU, "0") for c in template.containers)
    return any(n != "0" for n in limits) or bool(template.node_selector.accelerator)


def gpu_needs(template: Any, *, serves: bool) -> list[str]:
    """What a (raw protobuf) template with a GPU lacks of what Cloud Run requires with one,
    in words ([] without a GPU, or when it has them all; a quantity drift cannot read is the
    server's to judge). `serves`: a service's (CPU always allocated)."""
    if not has_gpu(template):
        return []
    out = []
    with_gpu = [c for c in template.containers if c.resources.limits.get(GPU, "0") != "0"]
    if len(with_gpu) > 1 or any(c.resources.limits[GPU] != "1" for c in with_gpu):
        out.append("one GPU, in one container")
    try:
        cpu = sum(parse_cpu(c.resources.limits.get("cpu") or "1") for c in template.containers)
        memory = sum(
            parse_memory(c.resources.limits.get("memory") or "512Mi") for c in template.containers
        )
    except ValueError:
        return out
    min_cpu, min_memory = FLOORS.get(template.node_selector.accelerator, L4_FLOOR)
    if cpu < min_cpu:
        out.append(f"at least {min_cpu // 1000} CPU (it has {cpu / 1000:g})")
    if memory < min_memory:
        out.append(f"at least {show_memory(min_memory)} of memory (it has {show_memory(memory)})")
    if serves and any(throttled(c) for c in template.containers):
        out.append("CPU always allocated (cpu_throttling: false)")
    return out
