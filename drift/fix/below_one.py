"""A plan must never write what Cloud Run refuses below one CPU (`drift.fields.cpu_floor`):
the revision it would make is judged with the patch applied. A cpu the plan lowers below 1
where the revision keeps a setting Cloud Run refuses with it becomes a manual step naming
what Cloud Run requires; the profile's own settings (`concurrency: 1`, …) are planned beside it
like any other, and then nothing is left to refuse. Likewise a setting the plan changes that
Cloud Run refuses at the cpu the revision keeps (`concurrency: 10` at 500m). Never an extra
change the profile does not state, never a patch the server refuses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from drift.fields import FIELDS
from drift.fields.cpu_floor import CPU_PAGE, WATCHED, Required, required, template_values
from drift.fix.commands import Commands
from drift.fix.cpu_memory import pair_steps
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed
from drift.kinds import Kind


def floor_steps(
    cmd: Commands, proposed: Proposed, side: Sequence[SettingChange] = ()
) -> tuple[list[SettingChange], list[ManualStep]]:
    """The proposed settings without the changes Cloud Run would refuse below one CPU (a
    service's), then without those it would refuse for the memory a CPU takes (every kind's,
    a job's below one CPU too: `drift.fix.cpu_memory`), and the manual step for each; judged
    on the template the sidecars' changes `side` make too (they are written in the same
    update: `drift.fix.sidecar_settings.limit_steps`, helper-657 LOW-3)."""
    settings, steps = _below_one(cmd, proposed, side)
    settings, paired = pair_steps(cmd, replace(proposed, settings=settings), side)
    return settings, steps + paired


def _below_one(
    cmd: Commands, proposed: Proposed, side: Sequence[SettingChange]
) -> tuple[list[SettingChange], list[ManualStep]]:
    live, settings = proposed.live, proposed.settings
    planned = {c.name: c for c in settings}
    if live.kind is not Kind.SERVICE or live.source is None or not set(planned) & set(WATCHED):
        return settings, []
    try:
        cpu, values = template_values(proposed.template([*settings, *side]))
    except ValueError:  # a quantity drift cannot read: the server judges it
        return settings, []
    needs = required(cpu, values)
    if not needs:
        return settings, []
    shown = FIELDS["cpu"].show(f"{cpu}m")
    if "cpu" in planned:
        change = planned["cpu"]
        total = "" if shown == FIELDS["cpu"].show(change.after) else f" ({shown} in all)"
        reason = (
            f"cpu {FIELDS['cpu'].show(change.after)}{total} is less than 1 CPU, where Cloud Run "
            f"requires {_listed(needs)} ({CPU_PAGE}): a patch of cpu alone would be refused; "
            "state them in the profile beside cpu (or set them with it by hand), then run "
            "drift fix again"
        )
        flags = [FIELDS["cpu"].gcloud(change.after), *(n.flag for n in needs)]
        step = ManualStep("setting.cpu", reason, (cmd.update(*flags),))
        return [c for c in settings if c.name != "cpu"], [step]
    refused = [n for n in needs if n.name in planned]
    steps = [
        ManualStep(
            f"setting.{n.name}",
            f"{n.name} {FIELDS[n.name].show(planned[n.name].after)} needs 1 CPU or more: the "
            f"revision has {shown} in all, where Cloud Run requires {n.need} ({CPU_PAGE}); "
            "raise cpu in the profile with it, then run drift fix again",
            (cmd.update("--cpu=1", FIELDS[n.name].gcloud(planned[n.name].after)),),
        )
        for n in refused
    ]
    names = {n.name for n in refused}
    return [c for c in settings if c.name not in names], steps


def _listed(needs: list[Required]) -> str:
    said = [f"{n.need} (it is {n.now})" for n in needs]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
