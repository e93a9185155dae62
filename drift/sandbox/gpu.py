"""What Cloud Run requires of a revision (a task, a worker pool's revision) with a GPU."""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf.message import Message

from drift.sandbox.names import invalid

# GPUs (cloud.google.com/run/docs/configuring/services/gpu, …/jobs/gpu, …/workerpools/gpu):
# "You can configure one GPU per Cloud Run instance. If you use sidecar containers, note that
# the GPU can only be attached to one container."; "For L4 GPUs, you must use a minimum of 4 CPU
# and 16 GiB of memory", "For NVIDIA RTX PRO 6000 Blackwell GPU, you must use a minimum of 20 CPU
# and 80 GiB of memory" (the jobs page; the services and worker pools pages: "a minimum of 4 CPU
# and 16 GiB of memory"); services: "You must use instance-based billing to use the GPU
# feature" (earlier: "CPU always allocated"), i.e. no container with cpu_idle. Read as the
# instance's CPU and memory (every container's), the lenient reading: the pages say "instance".
# Not checked: regions and max instances (they follow the project's quota and change over time).
# The server's wording is not quoted anywhere: these messages are the sandbox's.
GPU = "nvidia.com/gpu"
GPU_FLOOR = {"nvidia-rtx-pro-6000": (20_000, 80 * 2**30)}
L4_FLOOR = (4_000, 16 * 2**30)


def validate_gpu(
    template: Message, *, serves: bool, size: Callable[[Message], tuple[int, int]]
) -> None:
    """A template with a GPU (a container's `nvidia.com/gpu` limit, or a node selector's
    accelerator) meets what Cloud Run documents for one (INVALID_ARGUMENT otherwise);
    `size`: the instance's CPU (millicpu) and memory (bytes), raising ValueError when a
    quantity cannot be read (the sandbox's own reading, drift/sandbox/validate.py)."""
    with_gpu = [c for c in template.containers if c.resources.limits.get(GPU, "0") != "0"]
    accelerator = template.node_selector.accelerator if template.HasField("node_selector") else ""
    if not with_gpu and not accelerator:
        return
    at = "template.containers.resources.limits"
    if len(with_gpu) > 1 or any(c.resources.limits[GPU] != "1" for c in with_gpu):
        raise invalid(f"{at}: one GPU per instance, attached to one container only.")
    try:
        cpu, memory = size(template)
    except ValueError:
        return  # a quantity this check cannot read is not its to refuse
    min_cpu, min_memory = GPU_FLOOR.get(accelerator, L4_FLOOR)
    if cpu < min_cpu or memory < min_memory:
        raise invalid(
            f"{at}: a GPU ({accelerator or 'nvidia.com/gpu'}) requires a minimum of "
            f"{min_cpu // 1000} CPU and {min_memory // 2**30}Gi of memory per instance "
            f"(the instance has {cpu / 1000:g} CPU and {memory / 2**30:g}Gi)."
        )
    throttled = [c for c in template.containers if c.HasField("resources") and c.resources.cpu_idle]
    if serves and (throttled or not all(c.HasField("resources") for c in template.containers)):
        raise invalid(
            "template.containers.resources.cpu_idle: a GPU requires instance-based billing "
            "(CPU always allocated: cpu_idle false in every container)."
        )
