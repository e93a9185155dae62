"""A startup order (`depends_on`) the patch would write that Cloud Run cannot deploy: a name
that is no container of the template, or containers that wait on each other — none can start
first (`drift.fields.startup_order.order_problems`, as a manifest's order is judged; gcloud
refuses the first before sending: "--depends_on for container … references nonexistent
containers"). Not planned as a change the server refuses: a manual step saying why
(helper-554 F5)."""

from __future__ import annotations

from drift.fields.startup_order import order_problems
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed


def order_steps(proposed: Proposed) -> tuple[list[SettingChange], list[ManualStep]]:
    """The proposed changes without the startup orders the patched template cannot honour,
    and the step that says why."""
    settings = proposed.settings
    if proposed.live.source is None or not any(c.name == "depends_on" for c in settings):
        return settings, []
    template = proposed.template()
    names = [c.name for c in template.containers]
    order = {c.name: list(c.depends_on) for c in template.containers if c.depends_on}
    problems = list(dict.fromkeys(why for _, why in order_problems(order, names)))
    if not problems:
        return settings, []
    step = ManualStep(
        "setting.depends_on",
        f"the startup order the profile states cannot be deployed: {'; '.join(problems)}; "
        "state one that names the template's containers, none waiting on itself",
    )
    return [c for c in settings if c.name != "depends_on"], [step]
