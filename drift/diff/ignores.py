"""The profile's `ignore` entries on a run's findings: which each silences, which it fits but
may not silence (a security-relevant rule it does not name), and which matched nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from drift.findings import Finding
from drift.profiles.model import Ignore, Profile


def apply_ignores(profile: Profile, findings: list[Finding], today: dt.date) -> list[Finding]:
    """Silence matched findings; after an ignore's `until` its findings are back with their
    own severity (the profile's: an error fails CI again), saying the ignore expired. A
    finding an ignore fits but does not silence, since it names no rule and the finding's
    rule must be named (`RuleInfo.ignored_by_name_only`), says so: whoever wrote the entry
    thinks it silenced."""
    return [_apply(profile.ignores, f, today) for f in findings]


def _apply(ignores: Iterable[Ignore], finding: Finding, today: dt.date) -> Finding:
    fitting = [i for i in ignores if i.fits(finding)]
    match = next((i for i in fitting if not i.needs_rule(finding)), None)
    if match is None:
        if not fitting:
            return finding
        entries = "the ignore at " if len(fitting) == 1 else "the ignores at "
        entries += ", ".join(i.where for i in fitting)
        note = (
            f"(not silenced by {entries}: {finding.rule} is silenced only by an ignore that "
            f"names it, `rule: {finding.rule}`)"
        )
        return replace(finding, message=f"{finding.message} {note}")
    if match.expired(today):
        note = f"(ignore expired on {match.until}: {match.reason})"
        return replace(finding, message=f"{finding.message} {note}")
    return replace(finding, ignored=True, ignore_reason=match.reason)
