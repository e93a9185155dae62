"""Why a finding has no `since`, said so that "no since" is never read as "no revision began
it": its service's revision history could not be read, or the listing does not have the
revision it is on (one deployed while drift read the service: the listing lagged the Get;
helper-576 F4: said nothing). Notes, not unverified: the configuration itself was read."""

from __future__ import annotations

from collections.abc import Sequence

from drift.findings import Finding
from drift.live.state import LiveState
from drift.profiles.model import Profile
from drift.rules import HISTORY


def histories_unread(profile: Profile, names: Sequence[str], state: LiveState) -> list[str]:
    """A history that could not be read: its findings have no `since`."""
    return [
        f"{profile.services[name].label}: revision history not read ({why}): its findings "
        "have no since"
        for name in names
        if (why := state.history_unread.get(name)) is not None
    ]


def unlisted_revisions(
    profile: Profile, findings: Sequence[Finding], state: LiveState
) -> list[str]:
    """Each service whose findings are on a revision its history read does not list."""
    lacking: dict[str, set[str]] = {}
    for f in findings:
        records = state.history.get(f.key)
        if f.rule not in HISTORY or records is None or f.key not in profile.services:
            continue
        listed = {r.name for r in records}
        on = (f.revision, *f.also_on)
        lacking.setdefault(f.key, set()).update(r for r in on if r and r not in listed)
    return [
        f"{profile.services[name].label}: {', '.join(sorted(revs))} is not in its revision "
        "listing (deployed while drift read the service): its findings there have no since; "
        "run the check again"
        for name, revs in sorted(lacking.items())
        if revs
    ]
