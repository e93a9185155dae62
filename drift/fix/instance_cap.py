"""A plan must never leave a service's minimum instances above its maximum at either level
(the revision's RevisionScaling, the service's ServiceScaling): no service scales at least one
and at most the other, and Cloud Run refuses such an update (the sandbox does:
`drift.sandbox.request_limits`). The service the plan would write is judged with the patch
applied: a `min_instances` raised above a cap the service keeps, or a `max_instances` lowered
below a floor it keeps, becomes a manual step naming the level and what to state beside it;
both stated consistently are planned like any other (both stated that way is a profile refused
at load: `drift.fields.scaling.crossed_bounds`). Never a change the profile does not state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.blanks import blank, word
from drift.fields.scaling import manual_instances
from drift.fix.commands import Commands
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed
from drift.kinds import Kind
from drift.live.normalize import raw

WATCHED = ("min_instances", "max_instances")
LEVELS: tuple[tuple[str, Callable[[Any], Any], str], ...] = (
    ("the service's", lambda service: service.scaling, ""),
    ("the revision's", lambda service: service.template.scaling, "-instances"),
)
"""Each level: how it is named, its scaling in the (raw) Service, its gcloud flags' suffix
(`--min`/`--max` for the service's, `--min-instances`/`--max-instances` for the revision's)."""


def bound_steps(cmd: Commands, proposed: Proposed) -> tuple[list[SettingChange], list[ManualStep]]:
    """The proposed settings without a `min_instances` / `max_instances` change that would
    leave a floor above its cap, and the manual step for each."""
    live, settings = proposed.live, proposed.settings
    planned = {c.name: c for c in settings if c.name in WATCHED}
    if live.kind is not Kind.SERVICE or live.source is None or not planned:
        return settings, []
    crossed = _crossed(raw(proposed.workload()))
    if crossed is None:
        return settings, []
    level, low, high, suffix = crossed
    steps = []
    for name, change in planned.items():
        said = (
            f"min_instances {low} would be above {level} max_instances {high}"
            if name == "min_instances"
            else f"max_instances {high} would be below {level} min_instances {low}"
        )
        other = "max" if name == "min_instances" else "min"
        reason = (
            f"{live.name}: {said}: no service scales at least {low} and at most {high} "
            f"instances, and Cloud Run refuses such an update; state {other}_instances in the "
            f"profile beside {name}, then run drift fix again"
        )
        mine = f"--{name[:3]}{suffix}={change.after}"
        theirs = word(f"--{other}{suffix}=", blank(other.upper()))
        steps.append(ManualStep(f"setting.{name}", reason, (cmd.update(mine, theirs),)))
    return [c for c in settings if c.name not in planned], steps


def _crossed(service: Any) -> tuple[str, int, int, str] | None:
    """The first level whose floor is above its cap (its name, floor, cap, flag suffix), in
    automatic scaling (manually, Cloud Run ignores both); None when none is."""
    if manual_instances(service) is not None:
        return None
    for level, scaling_of, suffix in LEVELS:
        scaling = scaling_of(service)
        low, high = int(scaling.min_instance_count), int(scaling.max_instance_count)
        if high and low > high:
            return level, low, high, suffix
    return None
