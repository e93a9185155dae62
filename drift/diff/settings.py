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
        if setting.pattern is not None:
            if actual is not None and _matches(setting.pattern, str(actual)):
                continue
            expected = f"matches {setting.pattern}"
        else:
            wanted = field.normalise(setting.value)
            if actual == wanted:
                continue
            expected = field.show(wanted)
        yield at.finding(
            "setting.value",
            f"setting.{name}",
            f"{name} on {at.where} is {shown_actual}, the profile says {expected}",
            location=setting.location,
            expected=expected,
            actual=shown_actual,
        )


def _matches(pattern: str, value: str) -> bool:
    import re2

    return re2.search(pattern, value) is not None
