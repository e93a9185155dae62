"""`setting.value`: each setting the profile states against what Cloud Run applies to the
revision (compared in the catalogue's normal form, shown in a person's units: `256Mi`)."""

from __future__ import annotations

from collections.abc import Iterator

from drift.diff.context import Context
from drift.fields import FIELDS
from drift.findings import Finding
from drift.live.model import RevisionConfig


def setting_findings(ctx: Context, revision: str, config: RevisionConfig) -> Iterator[Finding]:
    for name, setting in ctx.service.settings.items():
        field = FIELDS[name]
        expected = field.normalise(setting.value)
        actual = config.settings.get(name)
        if actual == expected:
            continue
        shown_expected = field.show(expected)
        shown_actual = "" if actual is None else field.show(actual)
        yield ctx.finding(
            "setting.value",
            f"setting.{name}",
            f"{name} on {revision} is {shown_actual}, the profile says {shown_expected}",
            revision=revision,
            location=setting.location,
            expected=shown_expected,
            actual=shown_actual,
        )
