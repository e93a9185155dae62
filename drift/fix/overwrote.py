"""A canary write that landed on top of someone else's write: a server that lets a stale etag
through. AIP-154 (google.aip.dev/154) says "If a user sends back an etag which does not match
the current etag value, the service must send an ABORTED error response", but run v2
service.proto says only that `Service.etag` "May be used to detect modification conflict
during updates": whether UpdateService refuses a stale etag is left open (sandbox option
`stale_etag`). drift can tell from its own write: the Service its operation returns (or, the
answer lost, the read after it, carrying exactly what drift sent) is at the generation drift
read plus two or more, not plus one — the writes in between came first and drift's
template, built from what it read, replaced theirs."""

from __future__ import annotations

from typing import Any

from drift.errors import ApiError
from drift.fix.context import Fixer, Stop
from drift.fix.journal import State, Write
from drift.fix.routing import template_key, traffic_key
from drift.live.api import short
from drift.live.history import revisions_of


def over_theirs(answer: Any, after: Any, write: Write) -> Any | None:
    """drift's canary write as the server applied it when it landed after someone else's
    write (generation before + 2 or more): the operation's answer, or the read `after` when
    the answer was lost and it carries exactly drift's request; else None."""
    mine = answer
    if mine is None and (
        template_key(after) == write.template_key and traffic_key(after.traffic) == write.traffic
    ):
        mine = after
    if mine is None or short(mine.template.revision) != write.revision:
        return None
    return mine if int(mine.generation) > write.generation_before + 1 else None


async def replaced_theirs(fixer: Fixer, mine: Any, after: Any, write: Write) -> Stop:
    """The Stop once drift's canary write (`mine`, journaled as landed) replaced someone
    else's: no promotion, the canary cleaned up when nothing was written since (`after` at
    `mine`'s generation), and what happened said: their generation(s), their revision by name
    and creator, how to serve it again. Not exit 4 ("nothing changed"): their change left the
    template (`ServiceOutcome.overwrote`)."""
    name, p = fixer.name, fixer.ctx.profile
    before, gen = write.generation_before, int(mine.generation)
    theirs = await _their_revisions(fixer)
    who = ", ".join(f"{rev} by {creator or 'an unknown creator'}" for rev, creator in theirs or ())
    gens = (
        f"generation {before + 1}" if gen == before + 2 else f"generations {before + 1}-{gen - 1}"
    )
    cleanup = int(after.generation) == gen  # nothing written since drift's write
    serve = (
        f"Their revision {theirs[-1][0]} still exists: its author can deploy their change "
        "again (the template no longer carries it), or serve that revision at once with "
        f"gcloud run services update-traffic {name} --to-revisions {theirs[-1][0]}=100 "
        f"--project {p.project} --region {p.region} (traffic stays pinned to it until a "
        "deploy sends it --to-latest)"
        if theirs
        else "Their revisions could not be listed (ListRevisions)"
        if theirs is None
        else "drift found no revision created by them (a write of traffic or settings only)"
    )
    fixer.outcome.overwrote = theirs[-1][0] if theirs else gens
    return Stop(
        f"{name}: someone else wrote the service after drift read it and before its canary "
        f"write ({gens}" + (f": revision {who}" if who else "") + "). The server did not "
        f"refuse drift's stale etag, so drift's canary write (generation {gen}) replaced their "
        "template and traffic with drift's, built from what it had read: their change is no "
        f"longer in the service's template. drift stops here (no promotion). {serve}"
        + (
            ""
            if cleanup
            else f"; `drift rollback {fixer.change_id}` would restore what served before "
            "drift's read, not their change"
        ),
        State.CANARY_FAILED,
        cleanup=cleanup,
    )


async def _their_revisions(fixer: Fixer) -> list[tuple[str, str]] | None:
    """The revisions created after drift's read (after the latest one it saw), but the
    canary, oldest first, with their creators (ListRevisions; None when it fails)."""
    ctx, source = fixer.ctx, fixer.live.source
    try:
        listed = await revisions_of(ctx.session.clients, ctx.session.runner, source.name)
    except ApiError:
        return None
    rows = sorted((r.create_time.timestamp(), short(r.name), r.creator) for r in listed)
    names = [row[1] for row in rows]
    known = short(source.latest_created_revision)
    start = names.index(known) + 1 if known in names else len(names)
    return [(n, c) for _, n, c in rows[start:] if n != fixer.outcome.canary]
