"""What a plan leaves as it is because the profile's `ignore:` silences it: a change whose only
findings are ignored (`{service: api, env: DEBUG_TOOLBAR, reason: "tracked in OPS-42"}`) is the
team's known exception, not drift to repair behind its back. The plan says each, with the
entry's reason; removing (or letting expire) the entry brings it back into `drift fix`.

Changes are left out as soon as they are proposed, before anything is judged on them — the
account the revision will run as, what Cloud Run requires below one CPU or under a GPU
(helper-549 F1, F2): what is judged is the patch that is written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from drift.findings import Finding
from drift.fix.model import EnvChange, ManualStep


class _Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=_Named)

Key = tuple[str | None, str]
"""What a change or a finding is about: (container, `env.NAME` / `setting.NAME`)."""


class Silenced:
    """The ignored findings of one workload no active finding shares a `Key` with."""

    def __init__(
        self,
        active: Sequence[Finding],
        ignored: Sequence[Finding],
        key_of: Callable[[Finding], Key],
        primary: str,
    ) -> None:
        needed = {key_of(f) for f in active}
        self.left = {key_of(f): f for f in ignored if key_of(f) not in needed}
        self.primary = primary
        self.steps: list[ManualStep] = []
        self.dropped: list[Key] = []
        """Each change left, by `Key` (what `--only` is told of: `ServicePlan.silenced`)."""

    def stated(self, wrong: list[T]) -> list[T]:
        """The workload's own settings (`SettingSpec`s the live value does not satisfy) without
        those left: neither a change nor a pattern's or a blocked setting's manual step."""
        return [s for s in wrong if self.kept((None, f"setting.{s.name}"))]

    def env(self, changes: list[EnvChange]) -> list[EnvChange]:
        return [c for c in changes if self.kept((c.container or self.primary, f"env.{c.name}"))]

    def kept(self, key: Key) -> bool:
        """Whether the change (or the step) about `key` stays in the plan; one left is said
        once in `steps`."""
        finding = self.left.get(key)
        if finding is None:
            return True
        said = f" ({finding.ignore_reason})" if finding.ignore_reason else ""
        container, target = key
        within = f" in {container}" if container and container != self.primary else ""
        step = ManualStep(
            target,
            f"{target}{within} left as it is: the profile's ignore silences it{said}; "
            "drift fix repairs it once that entry is removed or expires",
        )
        if step not in self.steps:
            self.steps.append(step)
            self.dropped.append(key)
        return False
