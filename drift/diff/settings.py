"""`setting.value`: each setting the profile states against what Cloud Run applies to the
revision (compared in the catalogue's normal form, shown in a person's units: `256Mi`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from drift.diff.context import At
from drift.fields import FIELDS
from drift.findings import Finding, Unverified
from drift.live.model import LiveState
from drift.profiles.model import Profile


def setting_findings(at: At) -> Iterator[Finding]:
    for name, setting in at.ctx.service.settings.items():
        if name in at.config.unreadable:
            continue  # not verified (`unread_settings`)
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


def unread_settings(profile: Profile, names: Sequence[str], state: LiveState) -> list[Unverified]:
    """Each setting the profile states whose value a checked revision does not let drift read
    (`RevisionConfig.unreadable`): not judged, not verified, never clean."""
    out: dict[tuple[str, str], Unverified] = {}
    for name in names:
        live = state.services.get(name)
        for revision in live.checked if live is not None else ():
            for setting, why in revision.config.unreadable.items():
                if setting in profile.services[name].settings:
                    target = f"setting.{setting}"
                    out.setdefault((name, target), Unverified.at(name, target, why))
    return list(out.values())
