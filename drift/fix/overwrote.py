"""A write of drift's that landed on top of someone else's write: a server that lets a stale
etag through. AIP-154 (google.aip.dev/154) says "If a user sends back an etag which does not
match the current etag value, the service must send an ABORTED error response", but run v2
service.proto says only that `Service.etag` "May be used to detect modification conflict
during updates": whether UpdateService refuses a stale etag is left open (sandbox option
`stale_etag`). drift can tell from its own write (the canary's, the promotion's, an update in
place's: a job's, a pool's, a service's that makes no canary): the workload its operation
returns (or, the answer lost, the read after it, holding everything drift sent:
`drift.fix.readback.as_sent`) is at the generation drift read plus two or more, not plus one —
the writes in between came first and drift's write, built from what it read, replaced theirs."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from drift.errors import ApiError, JournalError
from drift.fix.beside import left, replaced_words
from drift.fix.commands import Commands
from drift.fix.context import Fixer, Stop
from drift.fix.journal import State, Write
from drift.fix.readback import as_sent
from drift.fix.routing import Content, carries, describe_serving, over_theirs
from drift.fix.update import CLIENT
from drift.kinds import Kind
from drift.live.api import short
from drift.live.history import CLIENT_NAME, revisions_of


async def stop_if_over_theirs(
    fixer: Fixer,
    answer: Any,
    after: Any | None,
    write: Write,
    journal_failed: Callable[[JournalError], str],
    sent: Any,
    content: Content = carries,
) -> None:
    """Stop when drift's write (`write`: the canary's, the promotion's, or an update in
    place's — a job's, a pool's, a service's that makes no canary; `sent`: the request; its
    operation's `answer`, None when lost; `after`: the read after it; `content`: whether a
    read runs drift's configuration, `drift.fix.routing.over_theirs`, and, the answer lost,
    holds all the rest as sent: `as_sent`) landed over someone else's. drift's write is
    journaled as landed at its generation (`STATES`). What happened is said (their
    generation(s), their revision by name and creator, how to serve it again), and the fix
    exits 1, not 4 ("nothing changed"): their change left the template
    (`ServiceOutcome.overwrote`)."""
    mine = over_theirs(answer, after, write, partial(as_sent, content=content, sent=sent))
    if mine is None:
        return
    promoted = write.step == "promotion"
    state = STATES[write.step]
    gen = int(mine.generation)
    try:
        fixer.ctx.journal.landed(
            fixer.entry,
            state,
            ("traffic on the canary, " if promoted else "")
            + f"landed over someone else's write (generation {gen - 1})",
            etag=mine.etag,
            generation=gen,
        )
    except JournalError as exc:
        raise Stop(journal_failed(exc)) from exc
    now = mine if after is None else after
    over = {"promotion": _promoted_over, "update": _update_over}.get(write.step, _canary_over)
    raise await over(fixer, mine, now, write, sent)


STATES = {"promotion": State.PROMOTED, "canary": State.CANARY_FAILED, "update": State.UPDATE_FAILED}
"""The state a write of each step (`Write.step`) that landed over someone else's leaves: the
canary's, failed (no promotion); the promotion's, promoted (traffic did move); an update in
place's, failed (it landed, over their change)."""


async def _canary_over(fixer: Fixer, mine: Any, after: Any, write: Write, sent: Any) -> Stop:
    """The canary write (`mine`; `sent`, its request) landed over someone else's: no
    promotion, the canary cleaned up when nothing was written since (`after` at `mine`'s
    generation). Their template (a revision of theirs) is no longer in the service's; what
    drift's write does not set (`drift.fix.beside`) is theirs still."""
    said = await replaced(fixer, write.generation_before, int(mine.generation))
    cleanup = int(after.generation) == int(mine.generation)
    kept, built = left(Kind.SERVICE, sent, mine), "built from what it had read"
    did = (
        f"replaced their template and traffic with drift's, {built}: their change is no longer "
        "in the service's template" + (f"; {kept}" if kept else "")
        if said.who
        else replaced_words(Kind.SERVICE, fixer.entry, sent, mine, built)
    )
    return Stop(
        f"{fixer.name}: someone else wrote the service after drift read it and before its "
        f"canary write ({said.gens}{said.who}). The server did not refuse drift's stale etag, "
        f"so drift's canary write (generation {mine.generation}) {did}. drift stops here (no "
        f"promotion). {said.serve}" + ("" if cleanup else said.rollback),
        State.CANARY_FAILED,
        cleanup=cleanup,
    )


async def _promoted_over(fixer: Fixer, mine: Any, now: Any, write: Write, sent: Any) -> Stop:
    """The promotion (`mine`; `sent`, its request) landed over someone else's write: traffic
    did move to the canary (journaled promoted), over what they wrote of what it sets; nothing
    is undone (`now`: the read after)."""
    said = await replaced(fixer, write.generation_before, int(mine.generation))
    canary, gen = fixer.outcome.canary, int(mine.generation)
    did = replaced_words(Kind.SERVICE, fixer.entry, sent, mine, "as it read them before")
    fixer.outcome.state = State.PROMOTED
    since = (
        ""
        if int(now.generation) == gen
        else f" The service was written again since (generation {now.generation})."
    )
    return Stop(
        f"{fixer.name}: someone else wrote the service after the canary {canary} was ready "
        f"and before drift's promotion ({said.gens}{said.who}). The server did not refuse "
        f"drift's stale etag, so drift's promotion (generation {gen}) moved the traffic to "
        f"{canary} and {did} (what serves: {describe_serving(now, canary)}).{since} "
        f"{said.serve}{said.rollback}",
        State.PROMOTED,
    )


async def _update_over(fixer: Fixer, mine: Any, now: Any, write: Write, sent: Any) -> Stop:
    """An update in place (`mine`: a job's, a pool's, a service's with no canary; `sent`, its
    request) landed over someone else's write: it stands (nothing is undone); journaled as
    failed. A job is written whole; a service's or pool's write sets only what its
    `update_mask` names (`drift.fix.beside`)."""
    said = await replaced(fixer, write.generation_before, int(mine.generation))
    kind = fixer.sp.kind
    serves = f" (what serves: {describe_serving(now)})" if kind is Kind.SERVICE else ""
    did = replaced_words(kind, fixer.entry, sent, mine, "built from what it had read")
    return Stop(
        f"{fixer.name}: someone else wrote the {kind.noun} after drift read it and before its "
        f"update ({said.gens}{said.who}). The server did not refuse drift's stale etag, so "
        f"drift's update (generation {mine.generation}) {did}{serves}. "
        f"{said.serve}{said.rollback}",
        State.UPDATE_FAILED,
    )


class Said(NamedTuple):
    """What is said of their write(s): `gens` (their generation(s)), `who` (": revision … by
    …", or ""), `serve` (how to serve their revision again), `rollback` (what a rollback
    would restore: not their change)."""

    gens: str
    who: str
    serve: str
    rollback: str


async def replaced(fixer: Fixer, before: int, gen: int) -> Said:
    """Their write(s) that drift's write replaced (drift read generation `before`, its write
    made `gen`), in words; `outcome.overwrote` set (their latest revision, or their
    generation(s))."""
    p, kind = fixer.ctx.profile, fixer.sp.kind
    cmd = Commands(p.project, p.region, fixer.sp.service, kind=kind)
    # a job has no revisions (its executions run copies of its template: job.proto)
    theirs = await _their_revisions(fixer) if kind is not Kind.JOB else []
    who = ", ".join(f"{rev} by {creator or 'an unknown creator'}" for rev, creator in theirs or ())
    gens = (
        f"generation {before + 1}" if gen == before + 2 else f"generations {before + 1}-{gen - 1}"
    )
    again = "its author can deploy their change again (the template no longer carries it)"
    verb, pinned = (  # gcloud beta run worker-pools update-instance-split: instances, no traffic
        ("run", "its instances stay on it until a deploy sends them")
        if kind is Kind.WORKER_POOL
        else ("serve", "traffic stays pinned to it until a deploy sends it")
    )
    serve = (
        f"Their revision {theirs[-1][0]} still exists: {again}, or {verb} that revision at once "
        f"with {cmd.all_to(theirs[-1][0])} "
        f"({pinned} --to-latest)"
        if theirs
        else "Their revisions could not be listed (ListRevisions)"
        if theirs is None
        else "A job keeps no revisions: its author can make their change again (the template "
        "no longer carries it)"
        if kind is Kind.JOB
        else "drift found no revision created by them (a write of traffic or settings only)"
    )
    fixer.outcome.overwrote = theirs[-1][0] if theirs else gens
    what = "what served" if kind is Kind.SERVICE else f"the {kind.noun} as it was"
    rollback = (
        f"; `drift rollback {fixer.change_id}` would restore {what} before drift's "
        "read, not their change"
    )
    return Said(gens, f": revision {who}" if who else "", serve, rollback)


async def _their_revisions(fixer: Fixer) -> list[tuple[str, str]] | None:
    """The revisions created after drift's read (after the latest one it saw), but drift's
    own (the canary; a cleanup's, by the client it records: `drift.fix.update.CLIENT`),
    oldest first, with their creators (ListRevisions; None when it fails)."""
    ctx, source = fixer.ctx, fixer.live.source
    try:
        listed = await revisions_of(ctx.session.clients, ctx.session.runner, source.name)
    except ApiError:
        return None
    rows = sorted(
        (r.create_time.timestamp(), short(r.name), r.creator, r.annotations.get(CLIENT_NAME))
        for r in listed
    )
    names = [row[1] for row in rows]
    known = short(source.latest_created_revision)
    start = names.index(known) + 1 if known in names else len(names)
    return [(n, c) for _, n, c, by in rows[start:] if n != fixer.outcome.canary and by != CLIENT]
