"""`setting.value`: each setting the profile states against what Cloud Run applies to the
revision (compared in the catalogue's normal form, shown in a person's units: `256Mi`)."""

from __future__ import annotations

from collections.abc import Iterator

from drift.diff.context import At
from drift.fields import FIELDS
from drift.findings import Finding


def setting_findings(at: At) -> Iterator[Finding]:
    for name, setting in at.ctx.service.settings.items():
        field = FIELDS[name]
        actual = at.config.settings.get(name)
        shown_actual = "" if actual is None else field.show(actual)
        if setting.satisfied_by(actual, (at.ctx.profile.project, at.ctx.profile.region)):
            continue
        if setting.pattern is not None:
            expected = f"matches {setting.pattern}"
        else:
            expected = field.show(field.normalise(setting.value))
        yield at.finding(
            "setting.value",
            f"setting.{name}",
            f"{name} on {at.where} is {shown_actual}, the profile says {expected}",
            location=setting.location,
            expected=expected,
            actual=shown_actual,
        )
