"""What a plan proposes for one workload's settings, before a step takes out what Cloud Run
would refuse (below one CPU: `drift.fix.below_one`; under a GPU: `drift.fix.gpu_floor`; a job's
parallelism above its task count: `drift.fix.task_cap`; a service's minimum instances above its
maximum: `drift.fix.instance_cap`; a volume no container can be told to mount, a probe's
period below the timeout it keeps: `unwritable_steps`): the changes, and the template they
would make, judged with the patch applied."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from drift.fields import FIELDS
from drift.fields.access import template_of
from drift.fix.commands import Commands
from drift.fix.manual import blocked_step
from drift.fix.model import ManualStep, ServicePlan, SettingChange
from drift.fix.patch import patched_template
from drift.live.model import LiveService
from drift.live.normalize import pick_container, raw


@dataclass(frozen=True)
class Proposed:
    live: LiveService
    base: Any | None
    """A service's RevisionTemplate the fix builds on (None: the workload's own template)."""
    container: str | None
    settings: list[SettingChange]

    def template(self, settings: list[SettingChange] | None = None) -> Any:
        """The raw template (a job's task template) the changes would make (`settings`: these
        instead of the proposed ones)."""
        return raw(template_of(self.workload(settings)))

    def workload(self, settings: list[SettingChange] | None = None) -> Any:
        """The workload (a run_v2 Service, Job or WorkerPool) the changes would make: what a
        job holds around its task template too (`drift.fix.task_cap`)."""
        changes = tuple(self.settings if settings is None else settings)
        plan = ServicePlan("", "", "", "", "", "", settings=changes)
        return patched_template(self.live.source, plan, self.container, self.base, clear_name=False)


def unwritable_steps(
    cmd: Commands, proposed: Proposed, side: list[SettingChange]
) -> tuple[Proposed, list[SettingChange], list[ManualStep]]:
    """The proposed changes, and the sidecars' own (`side`), a row's write cannot make on what
    the fix builds on, with the container the patch would give it (`Field.unwritable`: a
    volume list whose new volume no container can be told to mount; a probe whose timing kept
    from the live one Cloud Run would refuse beside the one stated, on that container), each
    taken out and left to a manual step saying why, as a blocked setting's (`blocked_step`):
    nothing of it is written without the plan saying so. Each is judged on what the fix builds
    on with the GPU the plan writes (a startup probe's bounds: helper-794 A1), its containers
    as they run."""
    asked = [c for c in [*proposed.settings, *side] if FIELDS[c.name].unwritable]
    if not asked:
        return proposed, side, []
    workload = proposed.workload([c for c in proposed.settings if c.name == "gpu_type"])
    containers = template_of(workload).containers
    why: dict[tuple[str, str | None], str] = {}
    for c in asked:
        held = pick_container(
            containers, proposed.container if c.container is None else c.container
        )
        check = FIELDS[c.name].unwritable
        if check is not None and (reason := check(workload, held, c.after)):
            why[c.name, c.container] = reason
    steps = [
        blocked_step(cmd, c.name, c.after, why[c.name, c.container])
        for c in asked
        if (c.name, c.container) in why
    ]
    kept = [c for c in proposed.settings if (c.name, c.container) not in why]
    return (
        replace(proposed, settings=kept),
        [c for c in side if (c.name, c.container) not in why],
        steps,
    )
