"""Why a finding has no `since`, said so that "no since" is never read as "no revision began
it": its service's revision history could not be read, or the listing does not have the
revision it is on (one deployed while drift read the service: the listing lagged the Get;
helper-576 F4: said nothing; or one deleted meanwhile, helper-650 F5). Notes, not unverified:
the configuration itself was read."""

from __future__ import annotations

from collections.abc import Sequence

from drift.findings import Finding
from drift.kinds import split_key
from drift.live.state import LiveState, RevisionRecord
from drift.profiles.model import Profile
from drift.revision_names import number
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
        f"{profile.services[key].label}: {', '.join(sorted(revs))} is not in its revision "
        f"listing ({_why(split_key(key)[1], revs, state.history[key])} while drift "
        "read the service): its findings there have no since; run the check again"
        for key, revs in sorted(lacking.items())
        if revs
    ]


def _why(service: str, lacking: set[str], listed: Sequence[RevisionRecord]) -> str:
    """Whether revisions the listing lacks were deployed (numbered above all it lists: the
    listing lagged the Get) or deleted (numbered below one it lists: helper-650 F5), as far as
    Cloud Run's numbers tell (a name its writer chose has none)."""
    newest = max((n for r in listed if (n := number(service, r.name)) is not None), default=0)
    numbers = [number(service, r) for r in lacking]
    if numbers and all(n is not None and n < newest for n in numbers):
        return "deleted"
    if all(n is not None and n > newest for n in numbers):
        return "deployed"
    return "deployed or deleted"
