"""The settings a profile states that the workload meets only through a default another change
of the patch moves: below one CPU, Cloud Run runs gen1 and one request per instance where the
revision sets neither (CPU page: "If you use less than 1 CPU … You must use the first
generation execution environment"; run v2 RevisionTemplate.max_instance_request_concurrency:
"If not specified or 0, concurrency defaults to 80 when requested CPU >= 1 and defaults to 1
when requested CPU < 1"). A patch raising cpu to 1 would leave both to Cloud Run's other
choice, a drift its plan never named (helper-551 F1): each is written as the profile states
it, and the plan says why."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from drift.fields import SettingValue
from drift.fields.access import template_of
from drift.fields.cpu_floor import ONE_CPU, instance_cpu
from drift.fix.model import SettingChange
from drift.fix.proposed import Proposed
from drift.live.normalize import template_config
from drift.profiles.model import Setting


def kept_defaults(
    proposed: Proposed,
    stated: Sequence[Setting],
    meets: Callable[[Setting, SettingValue | None], bool],
    live: Mapping[str, SettingValue],
) -> list[SettingChange]:
    """A change writing each stated setting (not a pattern, not already changed) that the
    template the patch builds on meets as read (`live`; `meets`, as the plan judges) and the
    template the proposed changes make — a sidecar's included: the defaults follow the
    instance's CPU, every container's — would not."""
    planned = {c.name for c in proposed.settings if c.container is None}  # the workload's
    if not proposed.settings or proposed.live.source is None:  # no workload read to patch
        return []
    workload = proposed.workload()
    try:  # lowered below one CPU, the default is what Cloud Run requires: never kept above it
        if instance_cpu(template_of(workload)) < ONE_CPU:  # (helper-555 F2)
            return []
    except ValueError:
        return []
    after = template_config(
        workload, container=proposed.container, kind=proposed.live.kind
    ).settings
    return [
        SettingChange(s.name, live.get(s.name), s.value)
        for s in stated
        if s.name not in planned
        and s.pattern is None
        and meets(s, live.get(s.name))
        and not meets(s, after.get(s.name))
    ]
