"""What `drift rollback` shows: everything it changes before its prompt (live → restored), what
will serve afterwards — a new revision made from the recorded configuration, and the images it
redeploys by tag (`drift.fix.recorded`) — and the list of recorded changes."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from drift.diff.differences import template_differences, with_setting
from drift.errors import DriftError, UsageError
from drift.fields import FIELDS, Source, read_shown
from drift.fix.byhand import PROMOTED_BY_HAND, promoted_now
from drift.fix.gone import renamed, said
from drift.fix.journal import Entry, Journal, promoted
from drift.fix.journalfiles import EDITED
from drift.fix.masked import held_by
from drift.fix.patch import restored_traffic, without_system_metadata
from drift.fix.pool_hold import FINISHED_BY_HAND, finished_by_hand
from drift.fix.recorded import (
    base_template,
    before_service,
    fields_only,
    served_by,
    unreleased,
)
from drift.fix.restore import already_restored, name_restored, restore_request
from drift.fix.revision_name import cleared_names
from drift.fix.routing import (
    describe_serving,
    describe_traffic,
    traffic_key,
    unpromoted_serving,
)
from drift.fix.update import GONE
from drift.kinds import Kind, label
from drift.live.api import in_progress, short
from drift.live.backendid import elsewhere
from drift.live.clients import backend
from drift.live.normalize import raw
from drift.schemas import NEWER, OLDER
from drift.settings import Settings
from drift.textsafe import visible

NEW = "(new revision)"
"""How the revision a rollback creates is named before Cloud Run or drift names it."""


def differences(
    live: Any, entry: Entry, gone: Collection[str] = (), later: Sequence[Entry] = ()
) -> list[str]:
    """Everything a rollback changes, live → restored: the template (image, every variable
    masked as findings mask them, settings, any other field), service-level settings, and the
    traffic (its spec, what serves now — not while a deploy is in progress: its
    `traffic_statuses` are transient then, `Service.reconciling` — and what will serve: a new
    revision of the recorded configuration, which runs what an image's tag names now). A
    service that serves what served before already (a write killed after it was sent, which
    landed) is said so: nothing is written (`restore.already_restored`)."""
    if already_restored(live, entry, gone, later):  # `restore` writes nothing: nothing changes
        return [serving(live, entry), ALREADY]
    restored = restore_request(live, entry, later)
    name_restored(restored, entry, gone)  # as `restore` names it: a revision gone, drift's name
    if gone:
        restored.traffic = restored_traffic(renamed(before_service(entry), gone, NEW))
    hidden = held_by(restored.template, entry.hidden)  # a password renamed, as the plan hid it
    lines = template_differences(live.template, restored.template, hidden)
    now, then = (
        read_shown(Source(raw(s), raw(s.template), None), lambda n, value: FIELDS[n].show(value))
        for s in (live, restored)
    )
    for name in sorted(n for n in FIELDS if FIELDS[n].level == "service" or FIELDS[n].service_part):
        shown = (now.get(name, ""), then.get(name, ""))
        lines = with_setting(lines, name, shown, live, restored)
    if traffic_key(live.traffic) != traffic_key(restored.traffic):
        lines.append(
            f"traffic: {describe_traffic(live.traffic)} → {describe_traffic(restored.traffic)}"
        )
    lines.append(serving(live, entry))
    if gone:
        lines.append(said(entry, gone))
    if fields_only(live, entry):  # `restore` writes those fields alone: no revision
        lines.append(ONLY_FIELDS)
        return lines
    lines.append(afterwards(entry, restored.traffic))
    named = restored.template.revision  # "" unless a revision gone: drift names it then
    if named and raw(restored.template) == raw(live.template):  # tried before: a retry label
        named = f"{entry.service}-drift-XXXXXX"  # … makes another configuration, another name
    # an image named by a tag: said once for every workload (`drift.fix.rollback`)
    notes = [failed_left(entry), *costs(live, entry, restored.traffic, named)]
    lines += [visible(f"note: {n}") for n in notes if n]
    return lines


def recorded_state(live: Any, entry: Entry) -> str:
    """The journal's state of the change, and what serves against it when the canary drift
    did not promote serves now (`unpromoted_serving`): `pinned as recorded, yet its canary
    serves now: LATEST 100% → app-drift-…`."""
    routed = unpromoted_serving(live, entry)
    return (
        f"{entry.state} as recorded, yet its canary serves now: {routed}" if routed else entry.state
    )


def serving(live: Any, entry: Entry) -> str:
    """What serves now (not while a deploy is in progress: its `traffic_statuses` are
    transient then, `Service.reconciling`)."""
    if in_progress(live):
        return "what serves: not known until the deploy in progress settles (transient)"
    return f"serving now: {describe_serving(live, entry.canary_revision)}"


ALREADY = (
    "afterwards: nothing is written: what served before the change serves already; the "
    "journal records the change as rolled back"
)

ONLY_FIELDS = (
    "afterwards: only the service's own fields above are put back; no revision is created, "
    "what serves stays as it is"
)


def costs(live: Any, entry: Entry, targets: Any, named: str = "") -> list[str]:
    """What the rollback changes beyond what served, one sentence each (`drift.fix.restore`
    writes the recorded configuration as a new revision): a revision name the team fixed in
    the template is cleared (`cleared_names`; `named`: the name drift gives the restored
    revision when the revision it takes the place of is gone, `restore.name_restored`); and
    a canary drift did not promote is undone by a revision LATEST then serves: a redeploy
    (said as what serves now: `unpromoted_serving`)."""
    named_before = (live.template.revision, before_service(entry).template.revision)
    out = [cleared_names(entry.service, named_before, "the restored revision", named)]
    latest = any(kind == "LATEST" and percent for kind, _, percent, _ in traffic_key(targets))
    routed = unpromoted_serving(live, entry)  # as `serving` says what serves now
    if entry.canary_revision and not promoted(entry) and latest:
        out.append(
            f"the canary {entry.canary_revision}, which drift did not promote, serves now "
            f"({routed}); LATEST will serve the new revision instead, with the configuration "
            "that served before"
            if routed
            else f"the canary {entry.canary_revision} never served, yet LATEST will serve the "
            "new revision: a redeploy of what serves now, with the configuration that served "
            "before"
        )
    return [n for n in out if n]


def afterwards(entry: Entry, targets: Any) -> str:
    """`afterwards: a new revision is created from the configuration that served before the
    change (app-00001-goj ran it); traffic: LATEST 100% → the new revision`; a template that
    did not serve (`--from-template`) is said as such, with the unreleased images it runs."""
    which = served_by(entry)
    rows: list[str] = []
    named: list[int] = []  # where the rows naming a revision stand
    for kind, revision, percent, tag in traffic_key(targets):
        if not percent and not tag:
            continue
        tagged = f" (tag {tag})" if tag else ""
        if kind == "LATEST":
            rows.append(f"LATEST {percent}% → the new revision{tagged}")
        elif revision == NEW:
            rows.append(f"the new revision {percent}%{tagged}")
        else:
            named.append(len(rows))
            rows.append(f"{revision} {percent}%{tagged}")
    # said once (helper-700 F9: after each of three targets it read as a stutter)
    if len(named) == 1:
        rows[named[0]] += ", the revision it was before"
    elif named:
        rows[-1] += (
            ", each the revision it was before"
            if len(named) == len(rows)
            else "; each revision named is the one it was before"
        )
    alone = "" if new_serves(targets) else "; the new revision gets no traffic"
    images = unreleased(entry)
    if images:  # what it runs is not what served
        served = f"; what served was {entry.base_revision}" if entry.base_revision else ""
        source = (
            "the template as it was before the change, which did not serve "
            f"(unreleased: {', '.join(images)}{served})"
        )
    else:
        source = "the configuration that served before the change" + (
            f" ({which} ran it)" if which else ""
        )
    return visible(
        f"afterwards: a new revision is created from {source}; traffic: "
        f"{', '.join(rows) or 'none'}" + alone
    )


def failed_left(entry: Entry) -> str:
    """What a service's rollback does not put back ("" nothing): the template recorded before
    the change when its revision had failed and the fix was built on what served instead
    (SPEC invariant 8, `drift.fix.base`): the rollback restores what served, never that
    template, which would fail again — said with what it had, as the fix's plan said it (a
    worker pool's preview says the same, `workload_preview._failed_left`)."""
    if Kind(entry.kind) is not Kind.SERVICE or entry.on_template:
        return ""
    before = before_service(entry)
    failed = short(before.latest_created_revision)
    if not failed or failed in (short(before.latest_ready_revision), entry.base_revision):
        return ""
    template = before.template  # a copy of the entry's, read for this: changed freely
    template.revision = ""
    without_system_metadata(template)
    base = base_template(entry)
    had = template_differences(base, template, held_by(template, entry.hidden))
    if not had:
        return ""
    return (
        f"the template of the failed revision {failed}, which the fix replaced, is not put "
        f"back (it never served; it had: {'; '.join(had)}): what served "
        f"({served_by(entry) or 'before the change'}) is what the rollback puts back"
    )


def new_serves(targets: Any) -> bool:
    """Whether traffic goes to the revision a rollback creates (LATEST, or by its name)."""
    return any(
        percent and (kind == "LATEST" or revision == NEW)
        for kind, revision, percent, _ in traffic_key(targets)
    )


@dataclass
class ChangeList:
    journal: str
    entries: list[Entry]
    by_hand: set[tuple[str, str, str]] = field(default_factory=set)
    """The pinned entries whose canary was promoted by hand since (`drift.fix.byhand`)."""
    unread: set[tuple[str, str, str]] = field(default_factory=set)
    """The pinned entries whose service could not be read to tell."""
    here: str = ""
    """The backend this drift talks to (`drift.live.clients.backend`), "" when unknown."""
    missing: bool = False
    """No journal directory is there: no fix has written one there (or its name is mistyped)."""

    def summary(self) -> str:
        if not self.entries:
            return f"no change recorded in {visible(self.journal)}" + (
                " (no journal is there: `drift fix` writes one when it changes something; "
                "one elsewhere: --journal DIR or DRIFT_JOURNAL_DIR)"
                if self.missing
                else ""
            )
        rows: list[tuple[str, ...]] = [
            ("CHANGE", "TIME (UTC)", "BY", "ENVIRONMENT", "SERVICE", "STATE", "CHANGED")
        ]
        for e in self.entries:
            state = _state(e)
            pool = e.kind == Kind.WORKER_POOL.value  # held by `drift.fix.pool_hold`
            if e.identity in self.by_hand and pool:
                state = f"{FINISHED_BY_HAND} (--no-promote, then its printed instance split)"
            elif e.identity in self.by_hand:
                state = f"{PROMOTED_BY_HAND} (--no-promote, then its printed promotion)"
            elif e.identity in self.unread:
                moved = "its instances moved" if pool else "a promotion"
                noun = Kind(e.kind).noun
                state += f" (its {noun} could not be read: {moved} by hand would not show)"
            if self.here and elsewhere(e.backend, self.here):
                state += f" (made against {e.backend}: `drift rollback` here refuses it)"
            when = e.created_at or (e.history[0]["at"] if e.history else "")
            when = when.replace("+00:00", "")
            cells = (e.change_id, when.replace("T", " "), e.by or "unknown", e.environment)
            who = label(Kind(e.kind), e.service)
            rows.append(tuple(map(visible, (*cells, who, state, ", ".join(e.changes)))))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1]
            for r in rows
        ]
        return "\n".join(line.rstrip() for line in lines) + f"\njournal: {visible(self.journal)}"


def gone_note(entry: Entry) -> str:
    """Why the entry was closed or aborted for its workload deleted ("" when it was not)."""
    note = str(entry.history[-1].get("note", "")) if entry.history else ""
    return note if f" {GONE} (" in note else ""


def _state(entry: Entry) -> str:
    if entry.unreadable:
        why = NEWER if NEWER in entry.problem else _untrusted(entry.problem) or "unreadable"
        return f"unknown (entry refused: {why}; `drift rollback {entry.change_id}` says why)"
    if entry.problem:
        why = "edited" if EDITED in entry.problem else "no checksum"
        why += ": an older drift's" if OLDER in entry.problem else ""
        return f"{entry.state} (entry refused: {why})"
    if entry.undone_by:
        return f"{entry.state} (by the rollback of {entry.undone_by})"
    if gone_note(entry):
        return f"{entry.state} (closed: {label(Kind(entry.kind), entry.service)} {GONE})"
    return entry.state


def _untrusted(problem: str) -> str:
    """`mode 644: `chmod 600 FILE` if it is drift's own` (or the owner and `chown`) for an
    entry refused unread for its mode or owner (`journalfiles.untrusted_entry`), as `drift
    rollback` says it; "" for any other problem."""
    mode = re.search(r"\(mode ([0-7]+)\)", problem)
    owner = re.search(r"is owned by uid (\d+)", problem)
    fix = re.search(r"`((?:chmod|chown) [^`]+)`", problem)
    if not fix or not (mode or owner):
        return ""
    what = f"mode {mode.group(1)}" if mode else f"owned by uid {owner.group(1) if owner else ''}"
    return f"{what}: `{fix.group(1)}` if it is drift's own"


def list_changes(
    settings: Settings, change_id: str | None = None, services: Sequence[str] | None = None
) -> ChangeList:
    """The journal's changes, as recorded (`ChangeList.by_hand`: what `read_live` finds), and
    where this drift talks to (`ChangeList.here`: a change made elsewhere is said so). The
    whole list only: a CHANGE_ID or --service beside --list is refused, never passed over (the
    list would look like that change's, or that service's)."""
    if change_id is not None or services:
        given = "a CHANGE_ID" if change_id is not None else "--service"
        raise UsageError(
            f"drift rollback --list lists every recorded change and takes no {given}: run "
            "`drift rollback --list`, then `drift rollback CHANGE_ID` (with --service NAME for "
            "one service of it)"
        )
    journal = Journal(settings.journal())
    try:
        here = backend()
    except DriftError:  # emulator variables that do not agree: said when the live is read
        here = ""
    entries = journal.entries()
    missing = not entries and not journal.directory.is_dir()
    return ChangeList(str(journal.directory), entries, here=here, missing=missing)


async def read_live(settings: Settings, listed: ChangeList) -> ChangeList:
    """`listed`, with the pinned canaries promoted by hand since found on their services."""
    listed.by_hand, listed.unread = await promoted_now(settings, listed.entries, finished_by_hand)
    return listed
