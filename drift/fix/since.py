"""Drift's own later changes of a workload, as the journal records them, when a rollback finds
the workload changed since drift's last write of the change it undoes (SPEC invariant 10
refuses a change *someone else* changed since).

Generations cannot tell them apart: a service's `generation` is "A number that monotonically
increases every time the user modifies the desired state" (google/cloud/run/v2/service.proto;
job.proto and worker_pool.proto say the same), so every write counts — drift's own cleanup of
a declined change too, which puts back exactly what served. So the journal's later entries of
the same workload (its kind, resource name and `uid`) are read as a chain: each began at the
generation the previous write left, and the last one's write is what is live. When every write
since is one of them:

- each of them ended having put back what it found (cleaned up, rolled back) and what is live
  is what the first of them found (`same`: what serves and the configuration, not only the
  generation): nothing of them is live, so they do not block the rollback;
- else the refusal names them, with the way out that keeps the journal true: roll them back
  first, newest first. `--force` undoes them too, and the journal then records them as rolled
  back by this rollback (`undone`), so that `--list` and a later plain `drift rollback` never
  take them for live changes (nor re-apply the older change, whose "after" is their "before")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from drift.errors import JournalError
from drift.fix.journal import DONE, Entry, Journal, State
from drift.fix.journalview import file_names
from drift.textsafe import visible

Same = Callable[[Any, Entry], bool | None]
"""Whether a workload read now is as a later change found it (what served, its config); None
when that cannot be told (what it found, withheld in its journal entry, was not read again)."""


def left_at(entry: Entry) -> int:
    """The generation drift's last landed write of the change left (or it found)."""
    done = entry.landed_writes()
    return done[-1].generation_after if done else entry.generation_before


def _wrote(entry: Entry) -> bool:
    return bool(entry.landed_writes()) or (
        (last := entry.last_write()) is not None and last.landed is None
    )


def later_changes(entry: Entry, entries: Sequence[Entry]) -> list[Entry]:
    """Drift's changes of the same workload recorded after `entry`'s last write that wrote
    (or may have), oldest first."""
    uid = str(entry.service_before.get("uid", "") or "")
    start = left_at(entry)
    out = [
        e
        for e in entries
        if e.change_id != entry.change_id
        and not e.unreadable
        and (e.kind, e.full_name) == (entry.kind, entry.full_name)
        and (not uid or str(e.service_before.get("uid", "") or "") == uid)
        and e.generation_before >= start
        and _wrote(e)
    ]
    return sorted(out, key=lambda e: (e.generation_before, e.change_id))


def unread_later(entry: Entry, entries: Sequence[Entry]) -> list[Entry]:
    """The journal's files of `entry`'s workload, by their names (`Journal.file`), of changes
    that began after it, that this drift cannot read (cut short, written by a newer drift):
    drift's own later change of it, perhaps, which `later_changes` cannot judge unread. A
    file name holds no project nor region: one whose JSON names another workload (`full_name`,
    a newer drift's entry of another project's service of the same name) is not of it."""
    names = file_names(entry.kind, entry.full_name)
    return [
        e
        for e in entries
        if e.unreadable
        and e.change_id > entry.change_id
        and Path(e.source).stem.partition("--")[2] in names
        and e.full_name in ("", entry.full_name)
    ]


def with_unread(since: Since, entry: Entry, unread: Sequence[Entry]) -> Since:
    """`since`, its refusal naming the later changes whose entries of the workload cannot be
    read (`unread_later`): what changed it since may be one of them, never only "their"
    change, for which `--force` is the way on."""
    if not since.blocks or not unread:
        return since
    ids = ", ".join(dict.fromkeys(e.change_id for e in unread))
    why = "; ".join(dict.fromkeys(e.problem for e in unread))
    first = unread[-1].change_id
    if unnamed := [e.change_id for e in unread if not e.full_name]:  # by its file name alone
        which = "" if len(unnamed) == len(unread) else f" of {', '.join(dict.fromkeys(unnamed))}"
        why += (
            f"; the file{which} names {entry.service} alone: it may be of another project's "
            f"or region's {entry.service}"
        )
    return replace(
        since,
        blocks=f"{since.blocks}; the journal holds an entry of {entry.service} of a later "
        f"change, {visible(ids)}, that this drift cannot read ({why}): if that is drift's own "
        f"later change, roll it back first (`drift rollback {visible(first)}` says why it "
        "cannot be read)",
    )


@dataclass(frozen=True)
class Since:
    blocks: str
    """Why the rollback is refused ("" when it is not)."""
    later: tuple[Entry, ...] = ()
    """Drift's own later changes of the workload that wrote since."""
    note: str = ""
    """What to say of them when they do not block."""
    ours: bool = False
    """Every write since is one of drift's own later changes."""
    by_rollback: Entry | None = None
    """The earlier change whose forced rollback is proven to have undone this one, when the
    journal could not record it then (`undone_by`): the check records it now (`settle`)."""


def undone_by(entry: Entry, entries: Sequence[Entry]) -> Entry | None:
    """The earlier change whose forced rollback undid `entry` when the journal could not
    record it (`undone` said so: `entry` still says what it was): its rollback's write began
    at the generation `entry` left and is the last write of the workload (None else)."""
    start = left_at(entry)
    for e in entries:
        if (
            e.generation_before < entry.generation_before
            and e.state == State.ROLLED_BACK
            and (e.kind, e.full_name) == (entry.kind, entry.full_name)
            and (last := e.last_write()) is not None
            and last.step == "rollback"
            and last.landed
            and last.generation_before == start
        ):
            return e
    return None


def judge(
    now: Any,
    entry: Entry,
    changed: str,
    later: Sequence[Entry],
    same: Same,
    by_rollback: Entry | None = None,
) -> Since:
    """`changed` (what `changed_since` says, "" when nothing changed) read against drift's
    own later changes of the workload `later` (`later_changes`), and the forced rollback of
    an earlier change that undid it unrecorded (`undone_by`)."""
    if changed and by_rollback is not None and left_at(by_rollback) == int(now.generation):
        return Since(
            f"{entry.service} was changed since drift's last write of change {entry.change_id} "
            f"by drift's forced rollback of its earlier change {by_rollback.change_id}, which "
            f"undid it too (the journal could not record that then: it still says "
            f"{entry.state}); nothing of change {entry.change_id} is live",
            tuple(later),
            ours=True,
            by_rollback=by_rollback,
        )
    if not changed or not later:
        return Since(changed, tuple(later))
    ours = _chain(entry, later) == int(now.generation)
    names = _names(later)
    found = ours and all(e.state in DONE and not e.problem for e in later) and same(now, later[0])
    if found:
        return Since(
            "",
            tuple(later),
            f"drift's own later change {names} wrote since and put back what it found: nothing "
            f"of it is live, {entry.service} is as change {entry.change_id} left it",
        )
    pending = [e for e in later if e.state not in DONE or e.problem]
    by = (
        f"{entry.service} was changed since drift's last write of change {entry.change_id} "
        f"by drift's own later change {names}, recorded in this journal"
    )
    if ours and pending:
        undo = " then ".join(f"`drift rollback {e.change_id}`" for e in reversed(pending))
        return Since(f"{by}: roll that back first ({undo}), then this one", tuple(later), ours=True)
    if ours:
        left = (
            "which did not leave it as it found it"
            if found is not None
            else "and whether it left it as it found it cannot be told (what it found, "
            "withheld in its journal entry, could not be read again)"
        )
        return Since(f"{by}, {left}", tuple(later), ours=True)
    return Since(f"{changed}; drift's own later change {names} wrote to it too", tuple(later))


def _chain(entry: Entry, later: Sequence[Entry]) -> int:
    """The generation the chain of writes from `entry` through `later` leaves, or -1 when
    someone else wrote in between (a gap) or an outcome is unknown."""
    generation = left_at(entry)
    for e in later:
        last = e.last_write()
        if e.generation_before != generation or (last is not None and last.landed is None):
            return -1
        generation = left_at(e)
    return generation


def _names(later: Sequence[Entry]) -> str:
    return ", ".join(visible(f"{e.change_id} ({_state(e)})") for e in later)


def _state(entry: Entry) -> str:
    return f"{entry.state}, entry refused" if entry.problem else entry.state


def undoes(later: Sequence[Entry]) -> tuple[Entry, ...]:
    """drift's own later changes a forced rollback undoes too: those still live (not rolled
    back or aborted); the journal records them as rolled back by it (`undone`)."""
    return tuple(e for e in later if e.state not in DONE)


def forced_note(later: Sequence[Entry]) -> str:
    """What a forced rollback says it undoes of drift's own later changes."""
    live = undoes(later)
    if not live:
        return ""
    return (
        f"it undoes drift's later change {_names(live)} too: the journal records "
        f"{'it' if len(live) == 1 else 'them'} as rolled back by this rollback"
    )


def undone(journal: Journal, entry: Entry, later: Sequence[Entry]) -> list[str]:
    """Record drift's later changes that `entry`'s forced rollback undid as rolled back by
    it; one line for each that could not be recorded."""
    out = []
    for e in later:
        if e.state in DONE:
            continue
        if e.problem:
            out.append(
                f"change {visible(e.change_id)} was undone too, but its journal entry is "
                f"refused ({visible(e.problem)}): it still says {e.state}"
            )
            continue
        e.undone_by = entry.change_id
        try:
            journal.record(
                e,
                State.ROLLED_BACK,
                f"undone by the rollback of change {entry.change_id} (--force), which put back "
                "what served before that change",
            )
        except JournalError as exc:
            e.undone_by = ""
            out.append(
                f"change {visible(e.change_id)} was undone too, but the journal could not "
                f"record it ({exc.message}): it still says {e.state}"
            )
    return out


def settle(journal: Journal, entry: Entry, by: Entry) -> str:
    """Record `entry` as rolled back by `by`'s forced rollback, now that `judge` proved it
    (what the workload serves is what that rollback's write left, the last write of it, which
    began at the generation `entry` left) and the caller holds the workload's lock: what that
    rollback would have recorded had the journal let it (`undone`). The line to say of it, or
    JournalError."""
    entry.undone_by = by.change_id
    try:
        journal.record(
            entry,
            State.ROLLED_BACK,
            f"undone by the rollback of change {by.change_id} (--force), which put back what "
            f"served before that change; recorded later, when the journal could be written "
            f"(the workload is at generation {left_at(by)}, which that rollback's write left)",
        )
    except JournalError:
        entry.undone_by = ""
        raise
    return (
        f"change {visible(entry.change_id)} was undone by drift's forced rollback of change "
        f"{visible(by.change_id)} (what is live is what that rollback's write left, at "
        f"generation {left_at(by)}), which the journal could not record then: recorded now "
        "as rolled back by it"
    )
