"""A plan must never write a memory its CPU cannot take, or a CPU its memory cannot run with
(`drift.fields.cpu_memory`; helper-631 F1, F2): the template it would write is judged with the
patch applied. A memory the plan changes that the CPU the workload keeps cannot take (the common
edit: `memory: 8Gi` on a 1-CPU service), or a cpu it changes that the memory kept cannot run
with, becomes a manual step naming the CPU (or memory) it needs and what to state beside it;
both stated that way is a `profiles validate` note (a sidecar may rescue the pair) and the
same step here when the template would hold it in one container with nothing to add up. Never
an extra change the profile does not state, never a patch Cloud Run refuses by every reading of
its pages: where they leave it open
(each container's pair or the instance's sums, with sidecars), it is blocked only when both
readings refuse, and the server decides the rest. A service below one CPU in all is
`drift.fix.below_one`'s (its memory among the other requirements there)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from drift.blanks import Arg, blank, word
from drift.fields import FIELDS
from drift.fields.cpu_memory import (
    cpu_shown,
    least_cpu,
    least_memory,
    most_memory,
    refused,
    too_much,
    why,
)
from drift.fields.limits import CPU_FLOORS, MEMORY_FLOORS
from drift.fix.commands import Commands
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed
from drift.kinds import Kind
from drift.live.normalize import pick_container
from drift.units import cpu_millis, format_memory, parse_cpu, parse_memory, show_memory

WATCHED = ("cpu", "memory")
AGAIN = "then run drift fix again"


def pair_steps(
    cmd: Commands, proposed: Proposed, side: Sequence[SettingChange] = ()
) -> tuple[list[SettingChange], list[ManualStep]]:
    """The proposed settings without a `cpu` / `memory` change Cloud Run would refuse for the
    pair the template would hold (with the sidecars' changes `side`, written with them), and
    the manual step saying what to state beside it."""
    live, settings = proposed.live, proposed.settings
    planned = {c.name: c for c in settings if c.name in WATCHED and c.container is None}
    if live.source is None or not planned:
        return settings, []
    try:
        template = proposed.template([*settings, *side])
        pair = _refused_pair(template, proposed.container, live.kind)
    except ValueError:  # a quantity drift cannot read: the server judges it
        return settings, []
    if pair is None:
        return settings, []
    cpu, memory = pair
    noun = live.kind.noun
    said = why(cpu, memory)
    if "cpu" in planned and "memory" in planned:
        reason = (
            f"{live.name}: cpu {cpu_shown(cpu)} with memory {show_memory(memory)}: {said}; "
            f"state a pair Cloud Run takes in the profile, {AGAIN}"
        )
        flags = [FIELDS["cpu"].gcloud(planned["cpu"].after)]
        flags.append(FIELDS["memory"].gcloud(planned["memory"].after))
        step = ManualStep("setting.memory", reason, (cmd.update(*flags),))
        return [c for c in settings if c not in planned.values()], [step]
    if "memory" in planned:
        change = planned["memory"]
        if too_much(cpu, memory):
            need = least_cpu(memory)
            way = f"state `cpu: {cpu_shown(need)}` in the profile beside memory"
            cpu_flag: Arg = FIELDS["cpu"].gcloud(cpu_millis(need))
        else:
            way = (
                f"state a cpu that takes it in the profile beside memory, or memory "
                f"{show_memory(least_memory(cpu))} or more"
            )
            cpu_flag = word("--cpu=", blank("CPU"))
        reason = (
            f"{live.name}: {said}; the {noun} runs {cpu_shown(cpu)} CPU, so a patch of memory "
            f"alone would be refused (INVALID_ARGUMENT): {way}, {AGAIN}"
        )
        step = ManualStep(
            "setting.memory", reason, (cmd.update(cpu_flag, FIELDS["memory"].gcloud(change.after)),)
        )
        return [c for c in settings if c is not change], [step]
    change = planned["cpu"]
    if too_much(cpu, memory):
        enough = most_memory(cpu)
        way = f"state `memory: {format_memory(enough)}` (or less) in the profile beside cpu"
    else:
        enough = least_memory(cpu)
        way = f"state `memory: {format_memory(enough)}` (or more) in the profile beside cpu"
    reason = (
        f"{live.name}: {said}; the {noun} has {show_memory(memory)} of memory, so a patch of "
        f"cpu alone would be refused (INVALID_ARGUMENT): {way}, {AGAIN}"
    )
    both = (FIELDS["cpu"].gcloud(change.after), FIELDS["memory"].gcloud(str(enough)))
    step = ManualStep("setting.cpu", reason, (cmd.update(*both),))
    return [c for c in settings if c is not change], [step]


def refused_pair(proposed: Proposed) -> list[str]:
    """What the workload `proposed` would write holds against the memory a CPU takes, in
    words (none within it, or where a reading takes it): what `drift fix --only` refuses in a
    part of a plan whose whole keeps the two together."""
    if proposed.live.source is None:
        return []
    try:
        pair = _refused_pair(proposed.template(), proposed.container, proposed.live.kind)
    except ValueError:
        return []
    return [why(*pair)] if pair is not None else []


def pair_refusals(template: Any, kind: Kind) -> list[str]:
    """What every reading refuses of the memory each CPU of the (raw) template takes, in words
    saying where Cloud Run says so: a container's pair of 1 CPU or more beside the instance's
    sums refused too, and below one CPU in all, the instance's sums (a job's or worker pool's:
    a service's are among `cpu_floor.required`). What a sidecar's limits are judged by
    (`drift.fix.sidecar_settings.refused_limits`, helper-657 MEDIUM-2): any container's, not
    only the one the workload's settings describe. Raises ValueError for a quantity drift
    cannot read."""
    sizes = _sizes(template)
    if not sizes:
        return []
    total = _total(sizes)
    in_all = f"{cpu_shown(total[0])} CPU and {show_memory(total[1])} in all: {why(*total)}"
    if total[0] < 1000:  # the instance's requirements ("Total cpu < 1")
        return [in_all] if kind is not Kind.SERVICE and refused(*total) else []
    if not refused(*total):
        return []  # the instance's sums taken: a reading takes every pair
    return [
        f"container {c.name or '(unnamed)'}: {why(*pair)}, and {in_all}"
        for c, pair in zip(template.containers, sizes, strict=True)
        if pair[0] >= 1000 and refused(*pair)
    ]


def floor_refusals(template: Any, kind: Kind) -> list[str]:
    """The instance's sums below the least a job or worker pool takes (`limits.MEMORY_FLOORS`,
    `limits.CPU_FLOORS`), in words with where Cloud Run says so: every reading refuses them
    (whether the floor is each container's or the instance's: a sum below it has a container
    below it). What a sidecar's limits are judged by too (`refused_limits`). Raises ValueError
    for a quantity drift cannot read."""
    sizes = _sizes(template)
    if not sizes:
        return []
    cpu, memory = _total(sizes)
    held = (
        (MEMORY_FLOORS, memory, show_memory(memory)),
        (CPU_FLOORS, cpu, f"{cpu_shown(cpu)} CPU"),
    )
    return [
        f"{shown} in all is below the {floor.shown} a {kind.noun} takes at the least ({floor.why})"
        for floors, amount, shown in held
        for of, floor in floors
        if of is kind and amount < floor.least
    ]


def _sizes(template: Any) -> list[tuple[Decimal, int]]:
    """Each container's CPU (millicpu) and memory (bytes), the defaults where it sets none.
    Raises ValueError for a quantity drift cannot read."""
    return [
        (
            parse_cpu(c.resources.limits.get("cpu") or "1"),
            parse_memory(c.resources.limits.get("memory") or "512Mi"),
        )
        for c in template.containers
    ]


def _total(sizes: list[tuple[Decimal, int]]) -> tuple[Decimal, int]:
    return sum((s[0] for s in sizes), Decimal(0)), sum(s[1] for s in sizes)


def _refused_pair(template: Any, container: str | None, kind: Kind) -> tuple[Decimal, int] | None:
    """The pair of the (raw) template every reading refuses, as the step names it (the main
    container's; below one CPU in all, the instance's), or None. Raises ValueError for a
    quantity drift cannot read."""
    sizes = _sizes(template)
    if not sizes:
        return None
    total = _total(sizes)
    if total[0] < 1000:  # the instance's requirements ("Total cpu < 1"), a service's elsewhere
        return total if kind is not Kind.SERVICE and refused(*total) else None
    chosen = pick_container(template.containers, container)
    if chosen is None:
        return None  # which container the profile means is another step's
    main = sizes[list(template.containers).index(chosen)]
    return main if main[0] >= 1000 and refused(*main) and refused(*total) else None
