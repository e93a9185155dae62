"""A canary drift left at 0 % where a fix finds the template is not what serves: what it is
(held by `--no-promote`, left by a fix that did not finish, or made by a fix that may still be
running), and how to finish it — the one judgement of fix's stop (`drift.fix.stops.
what_stops`), the plan's (`unreleased_stop`), the plan's step (`drift.fix.manual.
rollout_step`) and `drift check`'s `revision.pinned` (`drift.fix.served`'s
`JournalCanaries.left`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from drift.diff.served import unreleased_differences
from drift.diff.unserved import canary_running, in_flight
from drift.fix import lockholder
from drift.fix.base import Base
from drift.fix.byhand import promote_command, restored_routing
from drift.fix.journal import Entry, State
from drift.fix.journalview import of_change
from drift.fix.kept_since import before_unapplied, kept_since
from drift.fix.lockholder import Holder
from drift.fix.lockname import names
from drift.fix.pool_hold import pool_left
from drift.fix.restore import changed_since
from drift.fix.routing import routed, routing
from drift.fix.startable import recorded_unstartable, ways_out
from drift.kinds import Kind
from drift.live.changeids import canary_change, named_change
from drift.live.model import LiveService, RevisionConfig
from drift.live.state import LiveState


def unreleased_stop(
    base: Base,
    live: LiveService,
    environment: str,
    entries: Sequence[Entry] = (),
    running: Callable[[str, str], str] = lambda canary, change: "",
) -> str:
    """Why a fix stops at a template that is not what serves (`Base.unreleased`), and the way
    on: fix's stop (`drift.fix.stops.what_stops`, the service named first) and the plan's
    (`ServicePlan.stops`, its service's `blocked:` line); "" when the template is what
    serves, or the fix builds on it. A canary a
    fix left (killed after its canary landed, or held by `--no-promote`) is that change's to
    finish: `--from-template` would find its patch in the template already ("nothing to
    patch") and leave the pin. `entries`: the journal's, which say which it is, how to promote
    it and what its rollback restores. `running(canary, change)`: why the fix that made a
    canary whose journal is not here may still be running (`drift.diff.unserved.
    canary_running`, as `drift check` says it), "" when none can be."""
    if not base.unreleased:
        return ""
    latest = base.latest_created
    change = named_change(base.service, latest) or canary_change(latest)
    revision, held, _ = measured(base, live, entries)
    differs = f"the template differs from what serves ({revision}): {'; '.join(held)}"
    if change:
        now = live.source  # as read: changed since the change (`canary_left`)
        return f"{differs} ({_left(base, change, environment, entries, running, now)}"
    hint = " (a canary drift left: finish that change first)" if "-drift-" in latest else ""
    return (
        f"{differs}{hint}. A fix builds on what serves and would drop these; run `drift fix "
        "--from-template` to build on the template instead (they roll out too)"
    )


def measured(
    base: Base, live: LiveService, entries: Sequence[Entry]
) -> tuple[str, tuple[str, ...], RevisionConfig]:
    """The serving revision a template that does not serve is measured against, how it
    differs (what serves → the template, a line each), and its configuration: where the
    template is drift's canary, the revision its change was built on (`built_on`, revown63
    F5), else the one a fix builds on (`base`). Fix's stop and the plan's `blocked:` line name
    it; the differences the plan lists under that line are the same, and the plan's steps for
    the other revisions serving move their shares to it (helper-811 F1): the change it holds
    is finished there (promoted in its share, or rolled back to the template that runs it),
    never onto the older side's image."""
    latest = base.latest_created
    change = named_change(base.service, latest) or canary_change(latest)
    on = built_on(base.service, latest, entries) if change else ""
    revision, held = unreleased_differences(live, on) if on else ("", ())
    config = next((r.config for r in live.serving if r.name == revision), None)
    if held and config is not None:
        return revision, held, config
    return base.revision, base.differences, base.config


def _left(
    base: Base,
    change: str,
    environment: str,
    entries: Sequence[Entry],
    running: Callable[[str, str], str],
    now: Any,
) -> str:
    """The canary `base.latest_created` of `change`: what left it, and how to finish it."""
    latest = base.latest_created
    return canary_left(base.service, latest, change, entries, running, now) or (
        f"the canary {latest} of change {change}, left by a fix that did not finish, whose "
        f"journal is not here). Finish that change first: `drift rollback {change}` where "
        f"its journal is restores the traffic it recorded; without it, `drift rollback "
        f"{change} --from-live {environment}` removes the canary, the pin it made routed "
        "back to LATEST"
    )


def canary_left(
    service: str,
    canary: str,
    change: str,
    entries: Sequence[Entry],
    running: Callable[[str, str], str],
    now: Any = None,
) -> str:
    """What drift's canary `canary` of `change` at 0 % is, and how to finish it: the one
    judgement of fix's stop (`drift.fix.stops.what_stops`) and the plan's step (`drift.fix.manual.
    rollout_step`). Its journal entry here says (held by `--no-promote`, or the step its fix
    stopped at: no fix of it is running, whatever its age); with none here, `running(canary,
    change)` says whether the fix that made it may still be running (`running_rule`, as
    `drift check` judges it). "" when neither: a canary whose journal is not here and whose
    fix has ended, which each caller words with its own commands. Words made to follow an
    opening parenthesis, which they close. `now`: the service as read (run_v2.Service), when
    changed since drift's last write of the change (`drift.fix.restore.changed_since`, as
    `drift rollback` refuses it): no promotion as printed (the traffic it names is the
    journal's, and would undo that change), nor a rollback said to restore."""
    entry = _entry(service, change, entries)
    if entry is None:  # `--from-live` refuses it while its fix may be running
        words = running(canary, change)
        return (
            f"change {change}, whose journal is not here: {words}): {in_flight(change)}"
            if words
            else ""
        )
    held = _held(entry)
    if held and held[0].alive:  # its fix (or its rollback) holds its lock here: at work
        holder = held[0]
        return (
            f"the canary {canary} of change {change}, {entry.state} now). Change {change} is "
            f"running ({holder.command}, pid {holder.pid} on {holder.host}, since "
            f"{holder.started}): wait for it to finish"
        )
    left = _left_by(service, canary, change, entry, now)
    if not held:
        return left
    holder, files = held[0], " and ".join(str(p) for p in held[1])
    return (
        f"{left}. But its lock names {holder.describe()}, and drift cannot tell from this "
        f"host whether that process is gone: it may still be running on {holder.host}; wait "
        f"for it to finish, or, if that process is gone, delete {files} first"
    )


def _left_by(service: str, canary: str, change: str, entry: Entry, now: Any) -> str:
    """`canary_left`'s words for a canary its entry says was left (by `--no-promote`, or a
    fix that stopped), with no fix of it known to be running here."""
    if entry.kind == Kind.WORKER_POOL.value:  # an update in place: no traffic, no tag
        from drift.fix.workload_restore import changed  # its write judged as a pool's

        since = changed(now, before_unapplied(now, entry)) if now is not None else ""
        return pool_left(canary, change, entry, since)
    restores = (
        f"`drift rollback {change}` removes the canary and restores the traffic as it was "
        f"before the change ({restored_routing(entry)})"
    )
    mine = before_unapplied(now, entry) if now is not None else entry
    since = changed_since(now, mine) if now is not None else ""
    if reason := recorded_unstartable(entry):  # as its cleanup recorded, and rollback refuses
        restores = (
            f"`drift rollback {change}` refuses it while Cloud Run cannot start the "
            f"configuration that served before the change ({reason}): "
            f"{ways_out(entry, pinned=True, why=reason)}"
        )
    if since and not kept_since(now, mine):  # as `drift rollback` judges it, and refuses
        restores = (
            f"`drift rollback {change}`, which refuses it (`--force` removes the canary and "
            f"routes the traffic as it was before the change, {restored_routing(entry)}, "
            "undoing that change)"
        )
    if entry.state == State.PINNED and since and _moved(now, entry):
        return (
            f"the canary {canary} of change {change}, held with no traffic by `drift fix "
            f"--no-promote`). Finish that change first, but {since}: the promotion `drift fix "
            "--no-promote` printed routes the traffic as it was then and would undo that "
            "change; promote the canary by hand from the traffic as it is now, or "
            f"{restores}"
        )
    if entry.state == State.PINNED:  # changed since, if at all, with its traffic as it was
        return (
            f"the canary {canary} of change {change}, held with no traffic by `drift fix "
            f"--no-promote`). Finish that change first{f', but {since}' if since else ''}, "
            f"either way: promote it "
            f"({promote_command(entry)}), or {restores}"
        )
    return (
        f"the canary {canary} of change {change}, left by a fix that did not finish: "
        f"{entry.state}). Finish that change first{f', but {since}' if since else ''}: "
        f"{restores}"
    )


def _held(entry: Entry) -> tuple[Holder, list[Path]] | None:
    """The holder of the lock of `entry`'s service in the journal the entry was read from,
    with the lock's files, when it is the entry's own change and its process is not known to
    be gone (`Holder.stale`): proven alive here (`Holder.alive`), that change is being made
    (or rolled back) now, and "left by a fix that did not finish", with a rollback that would
    be refused, is not what it is (helper-661 A5); else (another host's, or another pid
    namespace's) it may be running there, or gone, and only its host can tell (helper-669 F3).
    None otherwise (an entry not read from a journal, too)."""
    if not entry.source:
        return None
    locks = Path(entry.source).parent / "locks"
    files = [locks / name for name in names(entry.full_name)]
    for path in files:
        holder = lockholder.read(path)
        if holder is not None and holder.change_id == entry.change_id and not holder.stale:
            return holder, [p for p in files if p.exists()]
    return None


def built_on(service: str, canary: str, entries: Sequence[Entry]) -> str:
    """The serving revision the change of drift's canary `canary` was built on, as its journal
    entry here records it ("" with none here, or built on the template): what the change the
    canary holds is measured against (`drift.diff.served.unreleased_differences`), in fix's
    stop, the plan's and `drift check`'s (`JournalCanaries.built_on`) alike — not the larger
    share, when it was built on the newer side of a rollout (revown63 F5)."""
    change = canary_change(canary)
    entry = _entry(service, change, entries) if change else None
    return entry.base_revision if entry is not None else ""


_CANARIED = frozenset({Kind.SERVICE.value, Kind.WORKER_POOL.value})
"""The kinds drift leaves a revision of a change held for (a pool's: `drift.fix.pool_hold`)."""


def _entry(service: str, change: str, entries: Sequence[Entry]) -> Entry | None:
    """The journal's entry of `change` on `service` (a service's, or a worker pool's held by
    `--no-promote`, as drift wrote it)."""
    return next(
        (
            e
            for e in of_change(entries, change)
            if e.change_id == change and e.service == service and e.kind in _CANARIED
            and not e.problem
        ),
        None,
    )  # fmt: skip


def running_rule(state: LiveState, key: str) -> Callable[[str, str], str]:
    """`canary_running` on the revision history of workload `key` at the time of `state`:
    whether the fix that made a canary may still be running, as `drift check` judges it."""
    return partial(canary_running, records=state.history.get(key) or [], now=state.now)


def _moved(now: Any, entry: Entry) -> bool:
    """Whether the traffic routes otherwise than drift's canary write left it (`routed`, not
    row for row): only then does the promotion `fix --no-promote` printed, built on that
    traffic, undo someone's change (a label of theirs, say, changes the generation only)."""
    canary = next((w for w in reversed(entry.landed_writes()) if w.step == "canary"), None)
    return canary is None or routing(now.traffic) != routed(canary.traffic)


def pool_held_stop(
    live: LiveService, entries: Sequence[Entry], running: Callable[[str, str], str]
) -> str:
    """Why `drift fix` stops at a worker pool whose latest revision is drift's, of a change
    that left it with no instances (held by `--no-promote`, `drift.fix.pool_hold`, or left
    by a fix that stopped), as it stops at a service's held canary (`unreleased_stop`): that
    change is to be finished first, whatever the profile says now (its plan may have nothing
    left to patch: the template holds the change already). "" when it is no such revision."""
    latest = live.latest_created
    change = named_change(live.name, latest) if latest else None
    if change is None or live.routes_latest or any(s.name == latest for s in live.serving):
        return ""
    left = canary_left(live.name, latest, change, entries, running, live.source)
    runs = ", ".join(f"{s.name} {s.percent}%" for s in live.serving) or "nothing"
    left = left or (
        f"change {change}, whose journal is not here: `drift rollback {change}` where it is "
        "undoes it)"
    )
    return f"its template is drift's revision {latest}, with no instances; they run {runs} ({left}"
