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
readings refuse, and the server decides the rest; the sums above the 8 CPU or 32 GiB an
instance takes at most without a GPU are what the instance reading refuses too (helper-669
F8). A service below one CPU in all is `drift.fix.below_one`'s (its memory among the other
requirements there)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from drift.blanks import Arg, blank, word
from drift.fields import FIELDS
from drift.fields.cpu_memory import (
    above_most,
    cpu_shown,
    least_cpu,
    least_memory,
    most_memory,
    refused,
    too_much,
    why,
)
from drift.fields.gpu_floor import has_gpu
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
        return _blamed(cmd, proposed, planned, side)
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
    """What every reading refuses of the memory each CPU of the (raw) template takes, and of
    the most an instance takes, in words saying where Cloud Run says so: a container's pair of
    1 CPU or more refused, or a container above the most (`refusal`), beside the instance's
    sums refused too, for their pair or above the most (helper-669 F8: 10 CPU in all); and
    below one CPU in all, the instance's sums (a job's or worker pool's: a service's are among
    `cpu_floor.required`). What a sidecar's limits are judged by
    (`drift.fix.sidecar_settings.refused_limits`, helper-657 MEDIUM-2): any container's, not
    only the one the workload's settings describe. Raises ValueError for a quantity drift
    cannot read."""
    sizes = _sizes(template)
    if not sizes:
        return []
    total = _total(sizes)
    if total[0] < 1000:  # the instance's requirements ("Total cpu < 1")
        below = f"{cpu_shown(total[0])} CPU and {show_memory(total[1])} in all: {why(*total)}"
        return [below] if kind is not Kind.SERVICE and refused(*total) else []
    gpu = has_gpu(template)
    whole = refusal(total, gpu)
    if not whole:
        return []  # the instance's sums taken: a reading takes every pair
    in_all = f"{cpu_shown(total[0])} CPU and {show_memory(total[1])} in all: {whole}"
    return [
        f"container {c.name or '(unnamed)'}: {own}, and {in_all}"
        for c, pair in zip(template.containers, sizes, strict=True)
        if (own := refusal(pair, gpu))
    ]


def refusal(size: tuple[Decimal, int], gpu: bool) -> str:
    """What one reading refuses of a container's size or the instance's sums (millicpu, bytes),
    in words ("": taken): above the most without a GPU (`above_most`), or at 1 CPU or more a
    memory its CPU cannot take (below one the instance's requirements are judged apart)."""
    over = "" if gpu else above_most(*size)
    return over or (why(*size) if size[0] >= 1000 else "")


def _blamed(
    cmd: Commands,
    proposed: Proposed,
    planned: dict[str, SettingChange],
    side: Sequence[SettingChange],
) -> tuple[list[SettingChange], list[ManualStep]]:
    """The proposed settings without the workload's `planned` cpu / memory changes where they
    leave a template every reading refuses (`pair_refusals`) though its own pair is taken: a
    sidecar's pair refused beside sums the changes push above 8 CPU or out of the table
    (helper-669 F8), where the template without them is not refused; and the manual step."""
    live, settings = proposed.live, proposed.settings
    kept = [c for c in settings if c not in planned.values()]
    try:
        words = pair_refusals(proposed.template([*settings, *side]), live.kind)
        if not words or pair_refusals(proposed.template([*kept, *side]), live.kind):
            return settings, []  # taken, or refused without them: not theirs to hold
    except ValueError:  # a quantity drift cannot read: the server judges it
        return settings, []
    shown = " with ".join(f"{k} {FIELDS[k].show(c.after)}" for k, c in sorted(planned.items()))
    reason = (
        f"{live.name}: {shown} would leave the instance with what every reading of Cloud Run's "
        f"pages refuses ({'; '.join(words)}), so a patch would be refused (INVALID_ARGUMENT): "
        f"state a cpu and memory Cloud Run takes beside the other containers' limits in the "
        f"profile, {AGAIN}"
    )
    flags = [FIELDS[k].gcloud(c.after) for k, c in sorted(planned.items())]
    target = "setting.cpu" if "cpu" in planned else "setting.memory"
    return kept, [ManualStep(target, reason, (cmd.update(*flags),))]


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
    every = refused(*main) and refusal(total, has_gpu(template))  # 10 CPU in all too (h669 F8)
    return main if main[0] >= 1000 and every else None
