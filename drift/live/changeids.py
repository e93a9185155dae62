"""drift's change ids as its canaries carry them: in full, or in a compact reversible form."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from typing import Any

CHANGE_ID = re.compile(r"[0-9]{8}-[0-9]{6}-(?:[0-9a-f]{5}|[0-9a-f]{4})")
"""A change id as `new_change_id` makes it (UTC `YYYYMMDD-HHMMSS-hhhhh`), or as an older drift
made it (4 hex digits: `YYYYMMDD-HHMMSS-hhhh`)."""

SPACE = 16**5
"""How many last parts a second has (5 hex digits)."""

WINDOW = 2**16
"""How far above the journal's last id of the same second a new id's last part is drawn: two
changes begun in one second on one journal (each reading it before the other wrote) share an
id once in 65,536 (an older drift drew from 1,024, and one `drift rollback CHANGE` would then
undo both operators' changes); 16 windows a second keep room for the ids begun after them in
that second (at least 16 of them; then the next second's)."""

WIDE = re.compile(r"d-([0-9a-z]{10})")
"""The compact form: `d-` and one base-36 number of 10 digits, the change's UTC second since
the epoch times `SPACE` plus its last part (12 characters until 2080), against the full
form's 27 (`drift-` + 21). Hex digits alone (`d-<git sha>`) make no second since 2019."""

COMPACT = re.compile(r"d-([0-9a-z]{1,8})([0-9a-f]{4})")
"""An older drift's compact form (of a 4-hex-digit id): `d-`, the change's UTC second since the
epoch in base 36, its 4 hex digits (12 characters until 2038). Both forms are read; one that
fits both makes a second in drift's time read one way only (`expand`)."""

FIRST = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""No change of drift's began before this (the compact form came later still): a compact form
naming an earlier second, or one in the future, is someone else's tag."""

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out


def new_change_id(now: dt.datetime | None = None, *, after: Iterable[str] = ()) -> str:
    """`YYYYMMDD-HHMMSS-hhhhh` (UTC, 5 hex digits drawn at random: `WINDOW`): sortable, short
    enough for a Cloud Run tag, and later than every id of the same second in `after` (the
    journal's), so that two changes begun within one second still sort in the order they
    began (`drift rollback` with no id takes the last)."""
    now = now or dt.datetime.now(dt.UTC)
    ids = [a for a in after if CHANGE_ID.fullmatch(a)]
    # a journal id from a later second (a clock set back, a journal shared between machines):
    # that second is where the new id begins, so that it still sorts last
    stamp = max([f"{now:%Y%m%d-%H%M%S}", *(a[:15] for a in ids)])
    # an older drift's 4 digits, padded: `abcd` sorts before `abcd1` as text
    same = [a[16:].ljust(5, "0") for a in ids if a[:15] == stamp]
    low = max((int(h, 16) + 1 for h in same), default=0)
    if low >= SPACE:  # the second is used up: the next one's
        then = dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC)
        return new_change_id(then + dt.timedelta(seconds=1), after=ids)
    return f"{stamp}-{low + secrets.randbelow(min(WINDOW, SPACE - low)):05x}"


def well_formed(change_id: str) -> bool:
    """Whether `change_id` is one drift makes: its pattern, at a time that exists."""
    if not CHANGE_ID.fullmatch(change_id):
        return False
    try:
        began(change_id)
    except ValueError:  # a month 13, a 25th hour
        return False
    return True


def began(change_id: str) -> dt.datetime:
    """When a change began, as its id says (UTC, `new_change_id`)."""
    return dt.datetime.strptime(change_id[:15], "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC)


def compact(change_id: str) -> str:
    """The compact form of a change id (`WIDE`; an older drift's id: `COMPACT`), which
    `expand` reads back exactly."""
    stamp, hexdigits = change_id[:15], change_id[16:]
    when = dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC)
    seconds = int(when.timestamp())
    if len(hexdigits) == 4:
        return f"d-{_base36(seconds)}{hexdigits}"
    return "d-" + _base36(seconds * SPACE + int(hexdigits, 16)).rjust(10, "0")


def expand(text: str) -> str | None:
    """The change id a compact form stands for, or None when `text` is no compact form (one
    that would not come back the same from `compact` is not one either)."""
    found: list[tuple[int, str]] = []
    if wide := WIDE.fullmatch(text):
        second, part = divmod(int(wide[1], 36), SPACE)
        found.append((second, f"{part:05x}"))
    if old := COMPACT.fullmatch(text):
        found.append((int(old[1], 36), old[2]))
    for seconds, last in found:
        try:
            when = dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            continue
        if not FIRST <= when <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
            continue  # a user's own `d-…` tag (`d-<git sha>`, `d-v1cafe`): no change of drift's
        change = f"{when:%Y%m%d-%H%M%S}-{last}"
        if compact(change) == text:
            return change
    return None


def tagged_change(tag: str) -> str | None:
    """The change a canary's traffic tag names (`drift-CHANGE` or the compact form), or None."""
    full = tag.removeprefix("drift-")
    if full != tag and CHANGE_ID.fullmatch(full):
        return full
    return expand(tag)


def named_change(service: str, revision: str) -> str | None:
    """The change a canary's revision name names (`SERVICE-drift-CHANGE`, or `SERVICE-` plus the
    compact form where that would pass 63 characters: `drift.fix.patch.canary_name`)."""
    prefix = f"{service}-"
    if not revision.startswith(prefix):
        return None
    rest = revision.removeprefix(prefix)
    full = rest.removeprefix("drift-")
    if full != rest and CHANGE_ID.fullmatch(full):
        return full
    return expand(rest)


def canary_change(revision: str) -> str | None:
    """The change a revision's name names as a canary's (`named_change`) when its service is
    not at hand: the `-drift-CHANGE` or `-d-…` compact ending."""
    head, sep, full = revision.rpartition("-drift-")
    if head and sep and CHANGE_ID.fullmatch(full):
        return full
    head, sep, tail = revision.rpartition("-d-")
    return expand(f"d-{tail}") if head and sep else None


def canaries(
    service: str, statuses: Iterable[Any], latest_created: str, latest_ready: str = ""
) -> dict[str, str]:
    """drift's canaries on a service, each with its change: revisions drift created for a
    change still in progress. One carries its traffic tag (`drift-CHANGE`, or the compact form
    a long service name needs: `drift.fix.patch.canary_tag`) from its deploy until the change
    ends (deployed, ready without traffic, pinned by `--no-promote`); the latest created
    revision named for a change (`drift.fix.patch.canary_name`) that serves nothing is one too
    (its deploy failed before the tag took effect, the tag was removed by hand, or the service
    name left no room for a tag), and so is the latest ready one named so that serves nothing
    (drift removed its tag, but the revision that was to put back what served failed: the
    traffic stays pinned by name, `drift.fix.restore.pin_by_name`). A promoted canary serves
    untagged: it is the serving revision, no canary — the service itself tells, so every
    reader (a CI runner without the journal) agrees."""
    found: dict[str, str] = {}
    serving: set[str] = set()
    for status in statuses:
        name = str(status.revision).rsplit("/", 1)[-1]  # `drift.live.api.short`
        change = tagged_change(str(getattr(status, "tag", "")))
        if change is not None:
            found[name] = change
        elif status.percent:
            serving.add(name)
    for latest in dict.fromkeys(r for r in (latest_created, latest_ready) if r):
        change = named_change(service, latest)
        if change is not None and latest not in found and latest not in serving:
            found[latest] = change
    return found


def own_tag(revision: str, tags: Iterable[str]) -> str:
    """The tag of `tags` that names the change `revision`'s name names (`canary_change`): drift's
    canary still carrying its own traffic tag (`drift.fix.patch.canary_tag`), which both ways
    drift promotes one remove (`drift.fix.patch.promoted_traffic`, `--remove-tags` in
    `drift.fix.byhand.promote_command`); "" when `revision` is no canary of drift's or carries
    no tag of its own change."""
    change = canary_change(revision)
    if change is None:
        return ""
    return next((tag for tag in tags if tagged_change(tag) == change), "")


def revision_tags(statuses: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """The traffic tags on each revision a service's `traffic_statuses` name, at any share and
    whichever tags a profile checks (`check_tags` leaves a tag's revision unread, never its
    tag): what `own_tag` reads of drift's canaries. A status that names no revision (LATEST)
    is not one."""
    found: dict[str, tuple[str, ...]] = {}
    for status in statuses:
        name = str(getattr(status, "revision", "")).rsplit("/", 1)[-1]  # `drift.live.api.short`
        if name and (tag := str(getattr(status, "tag", ""))):
            found[name] = (*found.get(name, ()), tag)
    return found
