"""The memory Cloud Run takes with a CPU (helper-631 F1, F2): a write (validate_only too) whose
memory the CPU cannot take, or the CPU its memory needs, is refused with INVALID_ARGUMENT.
Services, jobs and worker pools alike; a scenario's live state is not checked (what Cloud Run
holds is not the sandbox's to refuse).

One CPU or more, every copy of the pages agrees. The memory-limits pages (cloud.google.com/run/
docs/configuring/services/memory-limits, …/jobs/memory-limits, …/workerpools/memory-limits),
"Required minimum CPUs": "More than 4 GiB — 2; More than 8 GiB — 4; More than 16 GiB — 6; More
than 24 GiB — 8"; the CPU pages' table (…/services/cpu, …/jobs/cpu): "1 vCPU Up to 4 GiB; 2 vCPU
Up to 8 GiB; 4 vCPU 2 to 16 GiB; 6 vCPU 4 to 24 GiB; 8 vCPU 4 to 32 GiB" (an older copy:
"minimum memory requirements for CPUs: 4 — 2 GiB; 6 — 4 GiB; 8 — 4 GiB"). A CPU between two
rows (3, 5, 7: "Values greater than 1 must be integer values") takes the lower row's floor and
the memory-limits table's ceiling. The server's answer, as users quote it: "spec.template.spec.
containers[0].resources.limits.memory: Invalid value specified for memory. For 1.0 CPU, memory
must be between 128Mi and 4Gi inclusive." (googleapis/repo-automation-bots#3875), "… with gen2
execution environment. For 1.0 CPU, memory must be between 512Mi and 4Gi inclusive."
(MarkEdmondson1234/googleCloudRunner#137), "Invalid value specified for container memory. For
1.0 CPU, …" (google/osv.dev#2800). Its words name a container's field and a CPU: the scenario
option `max_size_of` (`limits.Sizes`) reads the table as the maximums are read, "container" (the
default) pairing each container's CPU with its memory, "instance" the sums of the instance's
containers. Below one CPU the requirements are the instance's ("Total cpu < 1", `cpu_rules`):
a container below one is not paired here.

Below one CPU the pages disagree. The CPU pages: ".08 vCPU Up to 512 MiB; .5 vCPU Up to 1 GiB"
and "A minimum of 0.5 vCPU is needed to set a memory limit greater than 512MiB. A minimum of 1
vCPU is needed to set a memory limit greater than 1GiB." Newer copies of the memory-limits pages
(…/services/memory-limits?authuser=4, …/jobs/memory-limits?authuser=4, and cloud.google.com/
functions/docs/configuring/memory): "128 MiB .083 vCPU; 256 MiB .167 vCPU; 512 MiB .333 vCPU; 1
GiB .583 vCPU; 2 GiB 1 vCPU". The scenario option `below_one_memory` picks: `cpu_page` (the
default) or `memory_page`. A row's CPU is the least of the page's rounded figure and a Cloud Run
function's own (`.1666`, which the Functions API reports for 256 MiB: a function's service
holds it, so the table cannot refuse it).

Jobs below one CPU: the jobs CPU page's current copy (docs.cloud.google.com/run/docs/configuring/
jobs/cpu) takes "any value between 0.08 and 1" with the memory requirements above; an older copy
said "You must set a minimum of 1 CPU for a Cloud Run job." The scenario option `job_min_cpu`:
`below_one_rules` (the default) or `one`. The refusals' wording below one follows the CPU
page's quoted "Total cpu < 1 is not supported with …" (`cpu_rules.CPU_AT`)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from google.protobuf.message import Message

from drift.sandbox.gpu import GPU_FLOOR
from drift.sandbox.names import invalid
from drift.sandbox.quantity import FINE, QuantityError, cpu_refusal, millis, parse, units

MIB, GIB = 2**20, 2**30
ONE_CPU = 1000
CEILINGS = ((2000, 4 * GIB), (4000, 8 * GIB), (6000, 16 * GIB), (8000, 24 * GIB))
"""Below each CPU (millicpu), the most memory (bytes): the memory-limits pages' table."""
MOST = 32 * GIB
FLOORS = ((6000, 4 * GIB), (4000, 2 * GIB))
"""From each CPU up, the least memory: the CPU pages' table."""
BELOW_ONE = {
    # the most memory below each CPU (millicpu, exact), highest first
    "cpu_page": ((Fraction(1000), GIB), (Fraction(500), 512 * MIB)),
    "memory_page": (
        (Fraction(1000), GIB),
        (Fraction(583), 512 * MIB),
        (Fraction(333), 256 * MIB),
        (Fraction(1666, 10), 128 * MIB),
        (Fraction(83), 0),
    ),
}
CPU_AT = "template.containers.resources.limits.cpu: Invalid value specified for cpu."


def memory_range(cpu: int) -> tuple[int, int]:
    """The least and the most memory (bytes) an instance or container of `cpu` (millicpu, 1
    CPU or more) takes by the tables (the least below 4 CPU: 0, the floors being another
    rule's, `limits.validate_minimums`, the request's own)."""
    most = next((memory for below, memory in CEILINGS if cpu < below), MOST)
    return next((memory for at, memory in FLOORS if cpu >= at), 0), most


def validate_pairing(template: Message, *, size_of: str = "container", gen2: bool) -> None:
    """A template whose memory each CPU of 1 or more takes (`size_of`: the scenario option
    `max_size_of`); `gen2`: the template runs in the second generation (a job's, a worker
    pool's, a service's that says so), only what the server's words say."""
    fields = template.DESCRIPTOR.fields_by_name
    if "node_selector" in fields and template.node_selector.accelerator in GPU_FLOOR:
        return  # its own sizes, beyond the table (`limits.validate_maximums`)
    for at, cpu, memory in _pairs(template, size_of):
        least, most = memory_range(cpu)
        if cpu <= 8000 and memory <= MOST and not least <= memory <= most:
            # the words' least below 4 CPU: the generation's minimum, as the server gives it
            least = least or (512 * MIB if gen2 else 128 * MIB)
            with_gen2 = " with gen2 execution environment" if gen2 else ""
            raise invalid(
                f"{at}.memory: Invalid value specified for memory{with_gen2}. For "
                f"{cpu / 1000:.1f} CPU, memory must be between {_shown(least)} and "
                f"{_shown(most)} inclusive."
            )


def _pairs(template: Message, size_of: str) -> Iterator[tuple[str, int, int]]:
    """Each pair judged, 1 CPU or more: where, CPU (millicpu) and memory (bytes)."""
    sizes = []
    for container in template.containers:
        limits = container.resources.limits
        try:
            sizes.append((millis(limits.get("cpu", "1")), units(limits.get("memory", "512Mi"))))
        except QuantityError:
            return  # a quantity the sandbox cannot read is not this check's to refuse
    if size_of == "instance":
        sizes = [(sum(s[0] for s in sizes), sum(s[1] for s in sizes))]
        at = ["template.containers.resources.limits"]
    else:
        at = [f"template.containers[{i}].resources.limits" for i in range(len(sizes))]
    for where, (cpu, memory) in zip(at, sizes, strict=True):
        if cpu >= ONE_CPU:
            yield where, cpu, memory


def below_one_refusal(cpu: Fraction, memory: int, reading: str) -> str:
    """What Cloud Run refuses of an instance below one CPU in all (`cpu`, exact millicpu) with
    `memory` (bytes) under the reading `reading` (`below_one_memory`), as the server's words
    end ("Total cpu < 0.5 is not supported with memory > 512Mi."); "" when nothing."""
    for least, most in BELOW_ONE[reading]:
        if cpu < least and memory > most:
            shown = _shown(most) if most else "0"
            return f"Total cpu < {float(least) / 1000:g} is not supported with memory > {shown}"
    return ""


def validate_job_cpu(task: Message, *, reading: str, job_min_cpu: str) -> None:
    """A job's task template below one CPU in all: refused outright (`job_min_cpu` "one"), or
    held to the memory requirements (`below_one_memory`'s `reading`). Each container's CPU
    first, as the jobs CPU page says a job's is set: "any value between 0.08 and 1 […] Values
    greater than 1 must be integer values" (`quantity.cpu_refusal`; a finer one is not this
    check's: a service's function may hold one, no job is documented to)."""
    for container in task.containers:
        if "cpu" in container.resources.limits:
            why = cpu_refusal(container.resources.limits["cpu"])
            if why and why != FINE and not why.startswith("not a quantity"):
                raise invalid(f"{CPU_AT} {why}.")
    try:
        cpu = sum(
            (parse(c.resources.limits.get("cpu", "1")) * 1000 for c in task.containers),
            Fraction(0),
        )
        memory = sum(units(c.resources.limits.get("memory", "512Mi")) for c in task.containers)
    except QuantityError:
        return  # not this check's to refuse
    if cpu >= ONE_CPU:
        return
    if job_min_cpu == "one":
        # "You must set a minimum of 1 CPU for a Cloud Run job." (an older copy of
        # cloud.google.com/run/docs/configuring/jobs/cpu); the wording is the sandbox's
        raise invalid(f"{CPU_AT} Total cpu < 1 is not supported for a job.")
    if refused := below_one_refusal(cpu, memory, reading):
        raise invalid(f"{CPU_AT} {refused}.")


def _shown(memory: int) -> str:
    return f"{memory // GIB}Gi" if memory % GIB == 0 else f"{memory // MIB}Mi"
