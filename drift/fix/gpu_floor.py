"""A plan must never write a GPU on an instance Cloud Run refuses one on
(`drift.fields.gpu_floor`): the revision it would make is judged with the patch applied. A
gpu_type the plan gives an instance too small for it (or a cpu, memory or cpu_throttling the
plan changes under a GPU) becomes a manual step naming the service and what Cloud Run requires;
the profile's own cpu, memory and cpu_throttling are planned beside it like any other, and then
nothing is left to refuse. Never an extra change the profile does not state."""

from __future__ import annotations

from typing import Any

from drift.fields import FIELDS
from drift.fields.access import template_of
from drift.fields.gpu_floor import GPU_PAGE, WATCHED, gpu_needs
from drift.fix.commands import Commands
from drift.fix.model import ManualStep, ServicePlan, SettingChange
from drift.fix.patch import patched_template
from drift.kinds import Kind
from drift.live.model import LiveService
from drift.live.normalize import raw


def _needs(
    live: LiveService, base: Any | None, container: str | None, settings: list[Any]
) -> list[str]:
    sp = ServicePlan("", "", "", "", "", "", settings=tuple(settings))
    out = patched_template(live.source, sp, container, base, clear_name=False)
    return gpu_needs(raw(template_of(out)), serves=live.kind is Kind.SERVICE)


def gpu_steps(
    cmd: Commands,
    live: LiveService,
    base: Any | None,
    container: str | None,
    settings: list[SettingChange],
) -> tuple[list[SettingChange], list[ManualStep]]:
    """`settings` without the changes Cloud Run would refuse for a GPU, and the manual step
    for each (`base`: a service's RevisionTemplate the fix builds on)."""
    planned = {c.name: c for c in settings}
    if live.source is None or not set(planned) & set(WATCHED):
        return settings, []
    base = base if live.kind is Kind.SERVICE else None
    needs = _needs(live, base, container, settings)
    if not needs:
        return settings, []
    kept = [c for c in settings if c.name != "gpu_type"]
    refused = ["gpu_type"] if "gpu_type" in planned else []
    if not refused or _needs(live, base, container, kept):  # under a GPU the plan keeps
        refused += [n for n in WATCHED if n in planned and n != "gpu_type"]
    said = "; ".join(needs)
    steps = [
        ManualStep(
            f"setting.{name}",
            f"{live.name}: {name} {FIELDS[name].show(planned[name].after)}: with a GPU, Cloud "
            f"Run requires {said} ({GPU_PAGE}), so a patch would be refused "
            "(INVALID_ARGUMENT); state cpu, memory and cpu_throttling in the profile beside "
            "gpu_type, then run drift fix again",
            (cmd.update(*_flags(planned[name])),),
        )
        for name in refused
    ]
    return [c for c in settings if c.name not in refused], steps


def _flags(change: SettingChange) -> list[str]:
    """The change's own flags, with those that set what a GPU requires (values to fill in)."""
    words = [flag for flag, _ in FIELDS[change.name].flags(change.after, change.before)]
    named = {w.split("=", 1)[0].removeprefix("--no-") for w in words}
    needed = ["--cpu=<CPU>", "--memory=<MEMORY>", "--no-cpu-throttling"]
    return [*(w for w in needed if w.split("=", 1)[0].removeprefix("--no-") not in named), *words]
