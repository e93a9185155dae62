"""What a plan leaves as it is because the profile's `ignore:` silences it: a change whose only
findings are ignored (`{service: api, env: DEBUG_TOOLBAR, reason: "tracked in OPS-42"}`) is the
team's known exception, not drift to repair behind its back. The plan says each, with the
entry's reason; removing (or letting expire) the entry brings it back into `drift fix`."""

from __future__ import annotations

from collections.abc import Callable

from drift.findings import Finding
from drift.fix.model import EnvChange, ManualStep, SettingChange

Key = tuple[str | None, str]
"""What a change or a finding is about: (container, `env.NAME` / `setting.NAME`)."""


def leave_ignored(
    env: list[EnvChange],
    settings: list[SettingChange],
    findings: tuple[list[Finding], list[Finding]],
    key_of: Callable[[Finding], Key],
    primary: str,
) -> tuple[list[EnvChange], list[SettingChange], list[ManualStep]]:
    """The changes without those every finding of which is ignored, and a step for each left;
    `findings`: (active, ignored) of the workload; `key_of`: a finding's `Key` as the planner
    names the patch's."""
    active, ignored = findings
    needed = {key_of(f) for f in active}
    left = {key_of(f): f for f in ignored if key_of(f) not in needed}
    if not left:
        return env, settings, []
    steps: list[ManualStep] = []

    def kept(key: Key, target: str) -> bool:
        finding = left.get(key)
        if finding is None:
            return True
        said = f" ({finding.ignore_reason})" if finding.ignore_reason else ""
        within = f" in {key[0]}" if key[0] and key[0] != primary else ""
        steps.append(
            ManualStep(
                target,
                f"{target}{within} left as it is: the profile's ignore silences it{said}; "
                "drift fix repairs it once that entry is removed or expires",
            )
        )
        return False

    env = [c for c in env if kept((c.container or primary, f"env.{c.name}"), f"env.{c.name}")]
    settings = [
        c for c in settings if kept((c.container, f"setting.{c.name}"), f"setting.{c.name}")
    ]
    return env, settings, steps
