"""The memory Cloud Run takes with a CPU, as drift judges it (helper-631 F1, F2): only what every
reading of Google's pages refuses; the rest is the server's to decide (its refusal is then
reported as any other).

One CPU or more, every copy agrees. The memory-limits pages (cloud.google.com/run/docs/
configuring/services/memory-limits, …/jobs/memory-limits, …/workerpools/memory-limits),
"Required minimum CPUs": "More than 4 GiB — 2; More than 8 GiB — 4; More than 16 GiB — 6; More
than 24 GiB — 8"; the CPU pages' table (…/services/cpu, …/jobs/cpu): "4 vCPU 2 to 16 GiB; 6 vCPU
4 to 24 GiB; 8 vCPU 4 to 32 GiB". Cloud Run refuses the rest with INVALID_ARGUMENT, as users
quote it: "spec.template.spec.containers[0].resources.limits.memory: Invalid value specified for
memory. For 1.0 CPU, memory must be between 128Mi and 4Gi inclusive."
(googleapis/repo-automation-bots#3875). A CPU between two rows (3, 5, 7) takes the lower row's
floor (the least any reading asks).

Below one CPU the pages disagree: the CPU pages' "A minimum of 0.5 vCPU is needed to set a
memory limit greater than 512MiB. A minimum of 1 vCPU is needed to set a memory limit greater
than 1GiB." against newer memory-limits copies' finer "512 MiB .333 vCPU; 1 GiB .583 vCPU"; and
for a job, the jobs CPU page's current copy (those same rules) against an older one's "You must
set a minimum of 1 CPU for a Cloud Run job". What all of them refuse is the CPU pages' rule,
which is what drift holds for every kind.

Whether the pairing is each container's or the instance's (sidecars' sums) is not documented
(the server's words name a container's field): a profile's `cpu` and `memory` are one
container's, and a pair one container cannot take is noted where it states both
(`memory_conflicts`: a sidecar may rescue it); the plan judges the template it would write
under both readings (`drift.fix.cpu_memory`) and blocks what both refuse. Where the profile
states the other containers' cpu and memory too (`containers: {NAME: {settings: …}}`, as
`drift init` writes them), the instance's sums are known: a pair the instance takes in all
is not said (the note's own "unless", helper-647 F5), one the instance's sums are refused
with while every container takes its own is noted (the other reading). A sidecar's own
stated pair is judged as the container's where the sums are not known: noted, never refused
(`sidecar_conflicts`, helper-657 LOW-2, helper-669 F4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from drift.fields.base import SettingValue, Stated
from drift.kinds import Kind
from drift.units import format_cpu, parse_cpu, show_memory

GIB, MIB = 2**30, 2**20
MEMORY_PAGE = "cloud.google.com/run/docs/configuring/memory-limits"
CPU_PAGES = "cloud.google.com/run/docs/configuring/services/cpu, …/jobs/cpu"
LEAST_CPU = (
    (512 * MIB, Decimal(0)),
    (GIB, Decimal(500)),
    (4 * GIB, Decimal(1000)),
    (8 * GIB, Decimal(2000)),
    (16 * GIB, Decimal(4000)),
    (24 * GIB, Decimal(6000)),
    (32 * GIB, Decimal(8000)),
)
"""Up to each memory (bytes), the least CPU (millicpu) it runs with."""
MOST_CPU = 8000
MOST_MEMORY = 32 * GIB
FLOORS = ((Decimal(6000), 4 * GIB), (Decimal(4000), 2 * GIB))
"""From each CPU up, the least memory."""


def least_cpu(memory: int) -> Decimal:
    """The least CPU (millicpu) `memory` (bytes, at most 32 GiB) runs with."""
    return next(cpu for most, cpu in LEAST_CPU if memory <= most)


def most_memory(cpu: Decimal) -> int:
    """The most memory (bytes) `cpu` (millicpu, at most 8 CPU) takes."""
    return max(most for most, least in LEAST_CPU if cpu >= least)


def least_memory(cpu: Decimal) -> int:
    """The least memory (bytes) `cpu` takes by the table (0: the kind's own floor)."""
    return next((memory for at, memory in FLOORS if cpu >= at), 0)


MOST_PAGES = "cloud.google.com/run/docs/configuring/services/cpu, …/services/memory-limits"


def above_most(cpu: Decimal, memory: int) -> str:
    """What of a CPU (millicpu) and memory (bytes) is above the most Cloud Run takes without a
    GPU, in words ("": within): the CPU pages' "The maximum amount of vCPU you can configure is
    8 vCPU.", the memory-limits pages' "The maximum amount of memory you can configure is 32
    gibibyte (32 Gi)." (a GPU's machine takes more: `judged`). Each container's or the
    instance's sums ("Each Cloud Run instance"): not said, so both are judged (helper-669 F8)."""
    over = [f"{cpu_shown(cpu)} CPU"] if cpu > MOST_CPU else []
    over += [show_memory(memory)] if memory > MOST_MEMORY else []
    if not over:
        return ""
    return (
        f"{' and '.join(over)} above the 8 CPU and 32Gi Cloud Run takes at most without a GPU "
        f"({MOST_PAGES})"
    )


def judged(cpu: Decimal, memory: int) -> bool:
    """Whether the table speaks of the pair: a machine with more (a GPU's) is Cloud Run's."""
    return cpu <= MOST_CPU and memory <= MOST_MEMORY


def too_much(cpu: Decimal, memory: int) -> bool:
    """`memory` above what `cpu` takes."""
    return judged(cpu, memory) and memory > most_memory(cpu)


def too_little(cpu: Decimal, memory: int) -> bool:
    """`memory` below what `cpu` takes (4 CPU need 2 GiB, 6 or more 4 GiB)."""
    return judged(cpu, memory) and memory < least_memory(cpu)


def refused(cpu: Decimal, memory: int) -> bool:
    return too_much(cpu, memory) or too_little(cpu, memory)


def cpu_shown(millis: Decimal) -> str:
    return format_cpu(millis)


def why(cpu: Decimal, memory: int) -> str:
    """What Cloud Run refuses of the pair, in words, with where it says so ("": nothing)."""
    if too_much(cpu, memory):
        need = cpu_shown(least_cpu(memory))
        if cpu < 1000:
            return (
                f"below 1 CPU Cloud Run requires memory {show_memory(most_memory(cpu))} at "
                f"most ({CPU_PAGES}); memory {show_memory(memory)} needs at least {need} CPU"
            )
        return (
            f"memory {show_memory(memory)} needs at least {need} CPU; Cloud Run takes "
            f"{show_memory(most_memory(cpu))} at most with {cpu_shown(cpu)} CPU ({MEMORY_PAGE})"
        )
    if too_little(cpu, memory):
        return (
            f"{cpu_shown(cpu)} CPU need at least {show_memory(least_memory(cpu))} of memory "
            f"({CPU_PAGES})"
        )
    return ""


OTHERS = "containers."
"""The prefix of another container's limit in a `Stated` (`containers.NAME.cpu`): what the
profile states of the instance's other containers, beside the one its `settings` describe."""
V = TypeVar("V")
UNLESS = "unless the instance's other containers add up to it (not documented)"


def other_limits(containers: Iterable[tuple[str, Mapping[str, V]]]) -> dict[str, V]:
    """The other containers' `cpu` and `memory` (as a profile states them, value and
    `file:line`, or as read), each container's by name, as the entries of the settings the
    cross-setting checks read (`others`)."""
    return {
        f"{OTHERS}{name}.{key}": held[key]
        for name, held in containers
        for key in ("cpu", "memory")
        if key in held
    }


@dataclass(frozen=True)
class Others:
    """What a profile states of the instance's other containers' limits, in all."""

    cpu: Decimal
    """The stated CPUs' sum, in millicpu (0: none stated)."""
    memory: int
    """The stated memories' sum, in bytes."""
    names: tuple[str, ...]
    complete: bool
    """Every other container the profile names with a limit states both, readably: the sums
    are those containers' exactly."""

    def said(self, cpu: Decimal, memory: int | None = None) -> str:
        """`with otel as stated, 4 CPU and 1536Mi in all` (the instance, with `cpu` and
        `memory` the container's)."""
        memory_said = "" if memory is None else f" and {show_memory(memory + self.memory)}"
        names = ", ".join(self.names)
        return f"with {names} as stated, {cpu_shown(cpu + self.cpu)} CPU{memory_said} in all"


def _held(stated: Stated) -> dict[str, dict[str, tuple[SettingValue, str]]]:
    """The other containers' limits a profile states (`other_limits`), each container's by
    name: value and `file:line` by setting."""
    held: dict[str, dict[str, tuple[SettingValue, str]]] = {}
    for key, said in stated.items():
        if key.startswith(OTHERS):
            name, _, setting = key[len(OTHERS) :].rpartition(".")
            held.setdefault(name, {})[setting] = said
    return held


def others(stated: Stated) -> Others | None:
    """The other containers' limits a profile states (`other_limits`), None where it states
    none."""
    held = {
        name: {key: value for key, (value, _) in limits.items()}
        for name, limits in _held(stated).items()
    }
    if not held:
        return None
    cpu, memory, complete = Decimal(0), 0, True
    for limits in held.values():
        try:
            cpu += parse_cpu(str(limits["cpu"])) if "cpu" in limits else Decimal(0)
        except ValueError:
            complete = False  # one drift cannot read: not counted
        if str(limits.get("memory", "")).isdigit():
            memory += int(str(limits["memory"]))
        else:
            complete = False
        complete &= "cpu" in limits
    return Others(cpu, memory, tuple(sorted(held)), complete)


def below_one_refused(pair: tuple[Decimal, int], side: Others) -> bool:
    """Whether a service's container `pair` beside the other containers `side` holds a memory
    every reading refuses below one CPU: the container's own (its CPU's) and the instance's
    sums (the stated ones: at least what the instance holds) — `cpu_floor.below_one`'s
    refusal."""
    total = (pair[0] + side.cpu, pair[1] + side.memory)
    return total[0] < 1000 and too_much(*pair) and too_much(*total)


def memory_conflicts(name: str, kind: Kind, stated: Stated) -> list[tuple[str, str]]:
    """A profile stating `cpu` and `memory` (one container's) that Cloud Run refuses together
    in one container, for every kind: (setting, message). Noted by `profiles validate`, not
    refused (helper-642 F2): whether Cloud Run pairs each container's or the instance's sum
    is not documented, and the profile may not state the live sidecars, which may make the
    pair valid under the second reading; the plan, which reads them, blocks only what both
    readings refuse. Where it states them (`others`: each with its cpu and memory), the
    instance's sums are judged: nothing where they are taken (helper-647 F5), a note where
    they are refused though the container takes its pair. A service below one CPU in all
    with a memory every reading refuses is `cpu_floor.below_one`'s, refused."""
    if "cpu" not in stated or "memory" not in stated:
        return []
    (cpu, where), (memory, _) = stated["cpu"], stated["memory"]
    pair = _pair(cpu, memory)
    if pair is None:
        return []
    said = why(*pair)
    shown = f"memory {show_memory(pair[1])} with cpu {cpu_shown(pair[0])} ({where})"
    noted = [("memory", f"{name}: {shown}: {said}, in one container; {UNLESS}")] if said else []
    side = others(stated)
    if side is None or not side.cpu:  # no other container's CPU stated: as before
        return [] if kind is Kind.SERVICE and pair[0] < 1000 else noted
    if kind is Kind.SERVICE and below_one_refused(pair, side):
        return []  # refused, every reading (`cpu_floor.below_one`)
    if not side.complete:
        return noted  # the instance's sums are not known
    in_all = why(pair[0] + side.cpu, pair[1] + side.memory)
    if not in_all:
        return []  # the instance takes it: the note's "unless", decided by what is stated
    if said:
        return noted  # the stated sums are refused too: the containers not stated may differ
    if any(_own(limits) for limits in _held(stated).values()):
        return []  # a sidecar's own pair is refused too: its own words (`sidecar_conflicts`)
    reading = "if Cloud Run pairs the instance's sums (not documented)"
    alone = "each container alone takes its own pair"
    return [("memory", f"{name}: {shown}, {side.said(*pair)}: {in_all}, {reading}; {alone}")]


def sidecar_conflicts(name: str, stated: Stated) -> list[tuple[str, str]]:
    """Each other container's pair the profile states (`containers.NAME.cpu` and `.memory`,
    `other_limits`) that Cloud Run refuses in one container, noted as the container's own is
    where its sums are not known (`memory_conflicts`; helper-657 LOW-2): nothing where the
    stated sums are taken (the note's "unless", decided by what is stated), a note where they
    are refused too or not known. Never refused at load (helper-669 F4): the profile does not
    say it names every container, and one it does not name (a proxy at 1 CPU) may lift the
    instance's sums to what every reading takes (an instance of 1 CPU or more pairs no
    container below one: "Total cpu < 1", `cpu_floor`), so the instance's sums are at least
    the stated ones, not known; the plan, which reads every live container, holds what every
    reading refuses (`drift.fix.sidecar_settings.refused_limits`). The notes, (key, message)
    each, the key the sidecar's `containers.NAME.memory`."""
    noted: list[tuple[str, str]] = []
    side = others(stated)
    own = _pair(stated["cpu"][0], stated["memory"][0]) if {"cpu", "memory"} <= set(stated) else None
    for sidecar, limits in sorted(_held(stated).items()):
        pair = _own(limits)
        if pair is None:
            continue
        said = f"{name}: container {sidecar}: memory {show_memory(pair[1])} with cpu "
        said += f"{cpu_shown(pair[0])} ({limits['cpu'][1]}): {why(*pair)}"
        key = f"{OTHERS}{sidecar}.memory"
        if own is None or side is None or not side.complete:
            noted.append((key, f"{said}, in one container; {UNLESS}"))
            continue
        total = (own[0] + side.cpu, own[1] + side.memory)
        if not why(*total):
            continue  # the instance takes it: the note's "unless", decided by what is stated
        in_all = f"{cpu_shown(total[0])} CPU and {show_memory(total[1])} in all as stated"
        said += f", in one container; the instance, {in_all}: {why(*total)}"
        noted.append((key, f"{said}; unless containers not stated add up to it"))
    return noted


def _own(limits: Mapping[str, tuple[SettingValue, str]]) -> tuple[Decimal, int] | None:
    """A container's stated pair one container cannot take (None: taken, or not both stated
    readably)."""
    if "cpu" not in limits or "memory" not in limits:
        return None
    pair = _pair(limits["cpu"][0], limits["memory"][0])
    return pair if pair is not None and why(*pair) else None


def _pair(cpu: SettingValue, memory: SettingValue) -> tuple[Decimal, int] | None:
    """The stated pair, counted (None: one drift cannot read, judged elsewhere)."""
    try:
        millis = parse_cpu(str(cpu))
    except ValueError:
        return None
    return (millis, int(str(memory))) if str(memory).isdigit() else None
