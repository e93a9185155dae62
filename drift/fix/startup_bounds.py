"""A plan must never write a startup probe over its bounds (`drift.fields.probe_bounds`) that
the workload does not run already, judged on the template the fix writes, its GPU as the plan
leaves it (helper-794 A2, A3): a service's delay, period and timeout at most 600 s, and its
failure threshold times its period 600 s, each 1800 s with a GPU. A gpu_type the plan takes
away under a startup probe it leaves over the bound without one (a live `period 900s`, or
240 s × 5) becomes a manual step naming the probe, and the GPU stays: Cloud Run refuses such a
period (INVALID_ARGUMENT), and the page says such a time "cannot exceed" the bound. A stated
startup probe the plan still writes over its bound (one judged with a GPU that a GPU step then
left out) becomes one too. A value left as it runs, under a bound as large, is never one
(helper-794 A4: a service Cloud Run made with 240 s × 3 and no GPU)."""

from __future__ import annotations

from typing import Any

from drift.fields import FIELDS
from drift.fields.access import template_of
from drift.fields.gpu_floor import has_gpu
from drift.fields.probe_bounds import STARTUP_RULES, WINDOW_RULES, startup_most, window_bound
from drift.fields.probe_text import live_check, shown, window
from drift.fix.commands import Commands
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed
from drift.kinds import Kind
from drift.live.normalize import pick_container

PROBE = "startup_probe"


def _over(kind: Kind, gpu: bool, timings: dict[str, int]) -> dict[str, tuple[int, int, str]]:
    """Each of a startup probe's timings over its bound as `kind` with or without a GPU:
    word -> (value, bound, rule) (`window`: the failure threshold times the period)."""
    most, rule = startup_most(kind, gpu), STARTUP_RULES[kind if kind is Kind.SERVICE else Kind.JOB]
    out = {w: (timings[w], most, rule) for w in ("delay", "period", "timeout") if timings[w] > most}
    if (whole := window(timings)) > (bound := window_bound(kind, gpu)):
        out["window"] = (whole, bound, WINDOW_RULES[kind])
    return out


def _newly(kind: Kind, before: Any, after: Any) -> dict[str, tuple[str, str, bool]]:
    """Each container of the template `after` whose startup probe is over a bound it was not
    over as it runs (`before`), or over one lowered under it: name -> (probe, why, whether
    it is within every bound with a GPU)."""
    was = {c.name: live_check(c, PROBE) for c in before.containers}
    gpu_was, gpu = has_gpu(before), has_gpu(after)
    out = {}
    for container in after.containers:
        check, old = live_check(container, PROBE), was.get(container.name)
        if not check.kind:
            continue
        for word, (value, bound, rule) in _over(kind, gpu, check.timings).items():
            same = old is not None and old.kind and _value(word, old.timings) == value
            if same and _bound(word, kind, gpu_was) <= bound:
                continue  # as it runs, under a bound as large
            what = f"its {word} {value}s"
            if word == "window":
                what = f"its failure threshold times its period, {value} s,"
            without = " without a GPU" if not gpu and _bound(word, kind, True) > bound else ""
            out[container.name] = (
                shown(check.text()),
                f"{what} is over {bound} s{without}: {rule}",
                not gpu and not _over(kind, True, check.timings),
            )
            break
    return out


def _value(word: str, timings: dict[str, int]) -> int:
    return window(timings) if word == "window" else timings[word]


def _bound(word: str, kind: Kind, gpu: bool) -> int:
    return window_bound(kind, gpu) if word == "window" else startup_most(kind, gpu)


def startup_steps(
    cmd: Commands, proposed: Proposed, side: list[SettingChange], *, left: bool = False
) -> tuple[list[SettingChange], list[SettingChange], list[ManualStep]]:
    """The proposed settings and the sidecars' own (`side`) without the changes that would
    write a startup probe over its bound it is not over as it runs, and the manual step for
    each: the gpu_type taking the GPU away (one step naming every container over), else each
    such container's stated startup probe (one step each; the others' changes kept). `left`:
    a gpu_type the profile adds was left to a step (`gpu_floor`): given what it requires, a
    probe within a GPU's bounds is taken (helper-800 A-L1)."""
    settings, kind = proposed.settings, proposed.live.kind
    if proposed.live.source is None or not any(
        c.name in (PROBE, "gpu_type") for c in settings + side
    ):
        return settings, side, []
    before, after = (
        template_of(proposed.workload([])),
        template_of(proposed.workload(settings + side)),
    )
    newly = _newly(kind, before, after)
    if not newly:
        return settings, side, []
    planned = {c.name: c for c in settings}
    if "gpu_type" in planned and has_gpu(before):
        gpu = FIELDS["gpu_type"].show(planned["gpu_type"].after)
        over = "; ".join(
            f"container {n}'s startup probe {p}: {w}" for n, (p, w, _) in newly.items()
        )
        within = (
            "a startup probe within it" if len(newly) == 1 else "each a startup probe within it"
        )
        said = (
            f"{proposed.live.name}: gpu_type {gpu}: {over}; state {within} in the profile beside "
            "gpu_type, then run drift fix again"
        )
        step = ManualStep("setting.gpu_type", said, ())
        return [c for c in settings if c.name != "gpu_type"], side, [step]
    # each container's own change over its bound, never another's within it (helper-800 A-M1)
    probes = [c for c in settings + side if c.name == PROBE and _held(after, proposed, c) in newly]
    steps = [
        ManualStep(
            f"setting.{PROBE}",
            f"{PROBE}: container {name}'s startup probe {probe}: {why}: not written; state "
            "a shorter one in the profile"
            + (
                ", or what gpu_type's step says the GPU requires (with it, it is within)"
                if fits and left
                else ""
            ),
        )
        for name, (probe, why, fits) in newly.items()
    ]
    return [c for c in settings if c not in probes], [c for c in side if c not in probes], steps


def _held(template: Any, proposed: Proposed, change: SettingChange) -> str | None:
    """The name of the container of `template` a change is written to (None: none)."""
    wanted = proposed.container if change.container is None else change.container
    held = pick_container(template.containers, wanted)
    return None if held is None else held.name
