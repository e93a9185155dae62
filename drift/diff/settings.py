"""`setting.value`: each setting the profile states against what Cloud Run applies to the
revision (compared in the catalogue's normal form)."""

from __future__ import annotations

from collections.abc import Iterator

from drift.diff.context import Context
from drift.fields import FIELDS, text
from drift.findings import Finding
from drift.live.model import RevisionConfig


def setting_findings(ctx: Context, revision: str, config: RevisionConfig) -> Iterator[Finding]:
    for name, setting in ctx.service.settings.items():
        expected = FIELDS[name].normalise(setting.value)
        actual = config.settings.get(name)
        if actual == expected:
            continue
        yield ctx.finding(
            "setting.value",
            f"setting.{name}",
            f"{name} on {revision} is {text(actual)}, the profile says {text(expected)}",
            revision=revision,
            location=setting.location,
            expected=text(expected),
            actual=text(actual),
        )
