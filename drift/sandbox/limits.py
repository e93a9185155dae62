"""The maximums Cloud Run documents for an instance (requests per instance, CPU, memory): a
write (validate_only too) above one is refused with INVALID_ARGUMENT. Services, jobs and
worker pools alike; a scenario's live state is not checked (what Cloud Run holds is not the
sandbox's to refuse)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from google.protobuf.message import Message

from drift.sandbox.cpu_memory import validate_pairing
from drift.sandbox.cpu_rules import GEN2, instance_size
from drift.sandbox.gpu import GPU_FLOOR
from drift.sandbox.names import invalid
from drift.sandbox.quantity import QuantityError, millis, units

# "You can configure the maximum concurrent requests per instance. […] You can increase this
# to a maximum of 1,000." (cloud.google.com/run/docs/about-concurrency); RevisionTemplate.
# max_instance_request_concurrency is a service's only (jobs and worker pools serve no requests).
MAX_CONCURRENCY = 1000
# "The maximum amount of vCPU you can configure is 8 vCPU." (cloud.google.com/run/docs/
# configuring/services/cpu, …/jobs/cpu, …/workerpools/cpu)
MAX_CPU = 8000  # millicpu
# "The maximum amount of memory you can configure is 32 gibibyte (32 Gi)." (…/configuring/
# services/memory-limits, …/jobs/memory-limits, …/workerpools/memory-limits)
MAX_MEMORY = 32 * 2**30
# "Each Cloud Run instance" (the CPU and memory pages): whether the maximum is each container's
# or every container's sum (sidecars share the instance) is not said: the scenario option
# `max_size_of` picks the reading ("container", the default, refuses only what every reading
# refuses). The server's wording is not quoted anywhere; these messages follow its "Invalid
# value specified for cpu." (`cpu_rules.CPU_AT`) and name the field.
AT = "template.containers.resources.limits"


@dataclass(frozen=True)
class Sizes:
    """The scenario's readings of the documented sizes of an instance (its options of these
    names, `Options.sizes`)."""

    gpu_max: str = "open"
    max_size_of: str = "container"
    min_size_of: str = "instance"
    below_one_memory: str = "cpu_page"
    job_min_cpu: str = "below_one_rules"


DEFAULT_SIZES = Sizes()


def validate_sizes(template: Message, sizes: Sizes, *, floors: bool, pool: bool) -> None:
    """The documented maximums, the memory each CPU takes (`cpu_memory`), and a job's or
    worker pool's floors (`floors`)."""
    validate_maximums(template, gpu_max=sizes.gpu_max, max_size_of=sizes.max_size_of)
    gen2 = floors or template.execution_environment == GEN2  # jobs and pools: gen2 only
    validate_pairing(template, size_of=sizes.max_size_of, gen2=gen2)
    if floors:
        validate_minimums(template, pool=pool, min_size_of=sizes.min_size_of)


def validate_maximums(
    template: Message, *, gpu_max: str = "open", max_size_of: str = "container"
) -> None:
    """A RevisionTemplate, WorkerPoolRevisionTemplate or TaskTemplate within the documented
    maximums. An accelerator whose documented minimum is above them (`gpu.GPU_FLOOR`: an RTX
    PRO 6000 needs at least 20 CPU and 80 GiB) has no documented maximum: the scenario option
    `gpu_max` "open" sets none, "floor" takes that minimum as the maximum too. `max_size_of`:
    the option of that name ("container" or "instance")."""
    fields = template.DESCRIPTOR.fields_by_name
    if "max_instance_request_concurrency" in fields:
        concurrency = template.max_instance_request_concurrency
        if concurrency > MAX_CONCURRENCY:
            raise invalid(
                "template.max_instance_request_concurrency: Invalid value specified for "
                f"concurrency. {concurrency} is above the maximum of {MAX_CONCURRENCY} "
                "concurrent requests per instance."
            )
    max_cpu, max_memory = MAX_CPU, MAX_MEMORY
    accelerator = template.node_selector.accelerator if template.HasField("node_selector") else ""
    if accelerator in GPU_FLOOR:
        if gpu_max == "open":
            return
        max_cpu, max_memory = GPU_FLOOR[accelerator]
    sizes = [_size(c.resources.limits) for c in template.containers]
    if max_size_of == "instance":
        try:
            cpu, memory = instance_size(template)
        except QuantityError:
            return  # a quantity the sandbox cannot read is not this check's to refuse
        every = "every container's"
        sizes = [(cpu, memory, f"{cpu / 1000:g} ({every})", f"{memory / 2**30:g}Gi ({every})")]
    for cpu, memory, cpu_text, memory_text in (s for s in sizes if s is not None):
        if cpu > max_cpu:
            raise invalid(
                f"{AT}.cpu: Invalid value specified for cpu. {cpu_text} is above the "
                f"maximum of {max_cpu // 1000} CPU per instance."
            )
        if memory > max_memory:
            raise invalid(
                f"{AT}.memory: Invalid value specified for memory. {memory_text} "
                f"is above the maximum of {max_memory // 2**30}Gi per instance."
            )


def _size(limits: Mapping[str, str]) -> tuple[int, int, str, str] | None:
    """A container's CPU (millicpu) and memory (bytes), the defaults where it sets none, and
    how it states them; None for a quantity the sandbox cannot read (not this check's)."""
    cpu, memory = limits.get("cpu", "1"), limits.get("memory", "512Mi")
    try:
        return millis(cpu), units(memory), cpu, memory
    except QuantityError:
        return None


# The least a job or a worker pool takes (helper-617 F2). Memory: "The minimum memory setting
# is 512 MiB" (cloud.google.com/run/docs/configuring/workerpools/memory-limits); jobs run only
# in the second generation ("The minimum amount of memory you can configure in the second
# generation execution environment is 512 MiB", …/configuring/jobs/memory-limits). A worker
# pool's CPU: "The minimum vCPU setting is 1 vCPU" (…/configuring/workerpools/cpu; an older
# copy of that page said 0.08, as the services' does). Whether a floor is each container's or
# the instance's (sidecars share it) is not documented: the sandbox refuses only what every
# reading refuses, an instance whose containers together are below it, unless the scenario
# option `min_size_of` is "container" (each container held to it). drift's profile holds the
# main container's `memory`/`cpu` to it (`drift.fields.base.Field.floors`) and leaves a
# sidecar's to Cloud Run. Services keep the CPU page's rules (`cpu_rules`). The wording is the
# sandbox's.
MIN_MEMORY = 512 * 2**20
MIN_POOL_CPU = 1000  # millicpu


def validate_minimums(template: Message, *, pool: bool, min_size_of: str = "instance") -> None:
    """A TaskTemplate or a WorkerPoolRevisionTemplate whose instance takes at least the least
    Cloud Run takes (a container that sets no limit has the default, 512Mi and 1 CPU).
    `min_size_of`: the scenario option of that name ("instance": the sum of the containers,
    "container": each one)."""
    measured: list[tuple[int, int, str]] = []
    if min_size_of == "container":
        measured.extend(
            (size[0], size[1], f"container {container.name or '(unnamed)'}")
            for container in template.containers
            if (size := _size(container.resources.limits)) is not None
        )
    else:
        try:
            cpu, memory = instance_size(template)
        except QuantityError:
            return  # a quantity the sandbox cannot read is not this check's to refuse
        measured.append((cpu, memory, "every container's"))
    for cpu, memory, whose in measured:
        if memory < MIN_MEMORY:
            raise invalid(
                f"{AT}.memory: Invalid value specified for memory. {memory / 2**20:g}Mi "
                f"({whose}) is below the minimum of 512Mi."
            )
        if pool and cpu < MIN_POOL_CPU:
            raise invalid(
                f"{AT}.cpu: Invalid value specified for cpu. {cpu / 1000:g} ({whose}) is below "
                "the minimum of 1 CPU for a worker pool."
            )
