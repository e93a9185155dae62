"""`drift rollback CHANGE --from-live ENV`: the canary of a change whose journal is not here (the
fix ran in CI, in a container, on another laptop, and was killed after its canary landed),
removed from what the live service itself holds, with no journal.

The service carries what a rollback needs. Its canary is named for the change (its revision
`SERVICE-drift-CHANGE` and tag `drift-CHANGE`, or their compact forms), serves nothing, and is
the latest revision; the canary's write pinned to a named revision the traffic that went to
LATEST (a ready canary is the latest ready revision: `drift.fix.patch.canary_traffic`), and
that revision served the configuration drift's fix was built on (SPEC invariant 8: the serving
revision's configuration plus the plan). From them an entry is rebuilt as the fix would have
journaled it — the service as it was: that configuration, LATEST where the pin is, every other
target and tag as they are, the canary's gone — and rolled back as any other
(`drift.fix.rollback`): one UpdateService whose template is that configuration (a new revision,
named by Cloud Run) and whose traffic goes to LATEST, judged from `traffic_statuses`. LATEST
then resolves to a revision of the configuration that served, never to the canary: Cloud Run
moves the traffic only once that revision is ready, and a failed one leaves it where it is
(`drift.fix.restore`, run v2 `Service.reconciling`), which SPEC invariant 9 asks for. The entry
is journaled here once the rollback writes; declined, nothing is recorded. A later rollback
from here rebuilds the services the journal does not hold of it (`--service`, refused), and
leaves those it holds to it.

A pin the revisions show is older than the canary is not drift's (`drift.live.trap.own_pin`: a
ready revision between the pinned one and the canary, which drift's canary write would have
pinned instead): it is the team's own hold, and it is kept exactly as it is. Only the canary's
target and tag go, and the template goes back to the latest ready revision before the canary
(what a `--from-template` fix was built on), which the pin gives no traffic, as the journal's
rollback would put it back.

Only that shape is rebuilt; anything else stops with what was found and nothing is written:
a canary a fix may still be working on (younger than `drift.diff.unserved.CLEANUP_WINDOW`: its
lock is in the journal where it runs) unless `--stopped`, a deploy since the canary (theirs is
the latest revision: the command that lets it serve is named only under drift's own pin,
`drift.live.trap`), a canary with traffic (its promotion had begun), traffic on more than one
revision under drift's pin (which share was LATEST's is only in the journal), a deploy in
progress. What cannot be known without the journal is said before the prompt: whether the
traffic was LATEST before (a pin put on the latest ready revision on purpose becomes LATEST),
whether a 0 % tag on that revision followed LATEST (it stays where it is), and service-level
settings the change made (they stay)."""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Collection, Mapping, Sequence
from contextlib import aclosing
from typing import Any

from drift.diff.unserved import HOURS, canary_running
from drift.errors import Aborted, ApiError, DriftError, UsageError
from drift.fix.context import FixUI
from drift.fix.fanout import in_order
from drift.fix.journal import Entry
from drift.fix.patch import is_latest
from drift.fix.payloads import rebuilt_reads
from drift.fix.recover_entry import rebuilt, rebuilt_entry
from drift.fix.recover_inplace import left_in_place
from drift.fix.routing import shares
from drift.fix.update import get_service
from drift.kinds import Kind
from drift.live.api import parent, short
from drift.live.changeids import named_change, tagged_change
from drift.live.history import list_revisions
from drift.live.session import Session
from drift.live.state import RevisionRecord
from drift.live.trap import (
    caught,
    caught_words,
    frozen_tags,
    frozen_words,
    own_pin,
    own_pin_words,
    untrap_command,
)
from drift.profiles.model import Profile
from drift.settings import Settings


async def from_live(
    settings: Settings,
    ui: FixUI,
    profile: Profile,
    change: str | None,
    entries: Sequence[Entry],
    services: Sequence[str] | None,
    *,
    stopped: bool = False,
) -> tuple[list[Entry], list[str]]:
    """The entries of `change` rebuilt from `profile`'s live services (`recovered`), each said
    with what the journal would have told and the service cannot, and the jobs and pools
    drift wrote in place since (`left_in_place`: nothing rebuilds them). `stopped`: also a
    canary a fix may still be working on (`--stopped`: the operator knows that fix stopped).
    A change the journal holds is its journal's, unless all it holds of it was rebuilt so
    (an earlier rollback from here wrote part of it: `--service`, or the rest refused): the
    services it does not hold are rebuilt, as nothing else can roll them back."""
    if not change:
        raise UsageError(
            f"--from-live {profile.environment} rolls back one change, named: `drift rollback "
            f"CHANGE --from-live {profile.environment}` (`drift check {profile.environment}` "
            "names the change of each canary left)"
        )
    held = [e for e in entries if e.change_id == change]
    if not all(rebuilt(e) for e in held):
        raise UsageError(
            f"change {change} is in the journal {settings.journal()}: `drift rollback {change}` "
            "rolls it back from what the journal recorded (--from-live is for a change whose "
            "journal is not here)"
        )
    async with Session(settings.access()) as session:
        kept, others = await left_in_place(session, profile, change, services, entries)
        try:  # a service an earlier rollback from here journaled is the journal's
            found = await recovered(
                session, profile, change, services, stopped=stopped, kept=kept,
                limit=settings.concurrency, journaled={e.full_name for e in held},
            )  # fmt: skip
        except UsageError:  # none left to rebuild: the journal's entries say the rest
            if not held:
                raise
            found = []
        # what their configurations reference, read before they are journaled (`payloads`)
        unread = await rebuilt_reads(session, profile.project, [entry for entry, _ in found])
    of = f" for it (only for {', '.join(dict.fromkeys(e.service for e in held))})" * bool(held)
    for entry, words in found:
        ui.say(
            f"{entry.service}: change {change} is not in the journal{of}: rebuilt from the live "
            f"service. {words[:1].upper()}{words[1:]}; a service-level setting the change "
            "made, if any, stays (only the journal holds what it was)"
        )
    for line in (*unread, *others, *kept):
        ui.say(line)
    return [entry for entry, _ in found], kept


def again(profile: Profile | None, stopped: bool) -> str:
    """The flags a command a rollback from `profile`'s live services names carries, so that run
    it finds the change there too (its journal does not hold it: `drift rollback CHANGE` alone
    says there is no such change): `--from-live ENV`, the profiles directory it was read from
    when not `./profiles` (`--profiles DIR`, or a parent's: run from here, the same; helper-761),
    the `--project`/`--region` given on the command line, `--stopped` where it was given ("" for
    None: the journal holds the change)."""
    if profile is None:
        return ""
    flags = [f"--from-live {profile.environment}"]
    flags += [f"--profiles {shlex.quote(profile.read_from)}"] * bool(profile.read_from)
    flags += [f"--project {profile.project}"] * (profile.project_from == "--project")
    flags += [f"--region {profile.region}"] * (profile.region_from == "--region")
    return " ".join(flags + ["--stopped"] * stopped)


async def refused_again(
    session: Session,
    profile: Profile,
    change: str,
    services: Sequence[str],
    stopped: bool,
    limit: int = 64,
    read: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Why the command a refusal of a rollback from `profile`'s live services would name
    (`again`'s flags and `--force`), run now on each of `services` (`--service`), would be
    refused as well: what `recovered` finds of it (a deploy since the canary, with the
    command that lets theirs serve where drift's pin caught it; no canary left); "" where it
    rebuilds it, or cannot read it (the command is named then, as it may work). Each judged
    alone: one refused or unread says nothing of the others (a rerun of them all is refused
    as a whole). `read`: each service as the refusal read it, judged as read (its words and
    the verdict of the same read; none read twice). `--force` lifts none of these
    (helper-760, left)."""

    async def again(name: str) -> str:
        try:
            now = (read or {}).get(name)
            found = await _judged(session, profile, change, name, stopped, now, build=False)
        except DriftError:  # unread (an ApiError): the command is named, as it may work
            return ""
        if found is None:
            return _none(profile, [name], change)
        return found if isinstance(found, str) else ""

    async with aclosing(in_order(limit, services, again)) as verdicts:
        return {name: words async for name, words in verdicts}


async def recovered(
    session: Session,
    profile: Profile,
    change: str,
    services: Sequence[str] | None,
    *,
    stopped: bool = False,
    kept: Sequence[str] = (),
    limit: int = 64,
    journaled: Collection[str] = (),
) -> list[tuple[Entry, str]]:
    """The entries of `change` rebuilt from the services of `profile` (those named; none of
    `journaled`, by full name: the journal holds them) that carry its canary, each with what
    its rollback does that only the journal could have made sure of; UsageError when none
    does, Aborted when one is not as the fix left it, or (unless `stopped`) may still be in
    a fix's hands."""
    names = [
        p.name
        for p in profile.services.values()
        if p.kind is Kind.SERVICE and (not services or p.name in services)
        and _name(profile, p.name) not in journaled
    ]  # fmt: skip

    async def one(name: str) -> tuple[Entry, str] | str | None:
        return await _judged(session, profile, change, name, stopped)

    out: list[tuple[Entry, str]] = []
    problems: list[str] = []
    # every service read concurrently (at most `limit`), judged in the profile's order
    async with aclosing(in_order(limit, names, one)) as read:
        async for _, found in read:
            if isinstance(found, str):
                problems.append(found)
            elif found is not None:
                out.append(found)
    if problems:
        raise Aborted("; ".join(problems) + ": nothing was changed")
    if not out:
        raise UsageError(_none(profile, names, change) + "".join(f"; {line}" for line in kept))
    return out


def _name(profile: Profile, name: str) -> str:
    return f"{parent(profile.project, profile.region)}/services/{name}"


def _none(profile: Profile, names: Sequence[str], change: str) -> str:
    return (
        f"no service of {profile.environment} ({', '.join(names) or 'none'}) carries a "
        f"canary of change {change}: nothing to roll back from the live services"
    )


async def _judged(
    session: Session,
    profile: Profile,
    change: str,
    name: str,
    stopped: bool,
    live: Any = None,
    *,
    build: bool = True,
) -> tuple[Entry, str] | str | None:
    """Service `name` of `profile` (`live`: as read already) judged as `recovered` judges it:
    its entry rebuilt and what its rollback does (`build`; else "": it would be rebuilt, the
    revision it is built on not read), why it is not as the fix left it, or None (gone, or no
    canary of `change`)."""
    try:
        live = await get_service(session, _name(profile, name)) if live is None else live
    except ApiError as exc:
        if exc.status == "NOT_FOUND":
            return None
        raise
    canary, tag = canary_of(name, live, change)
    if not canary:
        return None
    records = await list_revisions(session.clients, session.runner, live, None)
    proof = own_pin(list(shares(live)), {canary}, records)
    problem = ("" if stopped else _running(name, change, canary, records)) or _problem(
        profile, name, live, canary, tag, proof
    )
    if problem or not build:
        return problem
    entry = await rebuilt_entry(session, profile, name, live, change, canary, tag, records, proof)
    return entry, _words(live, entry, canary, tag, proof)


def canary_of(name: str, live: Any, change: str) -> tuple[str, str]:
    """The canary of `change` on the service and its tag ("" when it has none)."""
    for row in (*live.traffic_statuses, *live.traffic):
        if row.tag and tagged_change(row.tag) == change:
            return short(row.revision), row.tag
    for revision in (short(live.latest_created_revision), live.template.revision):
        if revision and named_change(name, revision) == change:
            return revision, ""
    return "", ""


def _problem(
    profile: Profile, name: str, live: Any, canary: str, tag: str, proof: str | None
) -> str:
    """Why the service is not as a fix killed after its canary left it ("" when it is);
    `proof`: what shows the pin is the team's own (`own_pin`)."""
    taking = shares(live)
    latest = short(live.latest_created_revision)
    if live.reconciling:
        return f"{name}: a deploy is in progress ({latest}): run it again once it has settled"
    if latest != canary:
        trap = caught(
            routes_latest=any(is_latest(t) and t.percent for t in live.traffic),
            reconciling=False,
            latest_ready=short(live.latest_ready_revision),
            latest_created=latest,
            canaries={canary},
            serving=taking,
        )
        said = (
            f"{name} was deployed since drift's canary {canary} ({latest} is its latest revision)"
        )
        undo = "drift does not undo it without the journal of the change"
        if proof:  # the team's pin holds their deploy as it means to: no command past it
            return f"{said}; {own_pin_words(list(taking), proof)}: {undo}"
        if trap and len(taking) == 1 and proof is not None:
            command = untrap_command(
                name, "--to-latest", [tag] if tag else [], profile.project, profile.region
            )
            frozen = _frozen(live, next(iter(taking)))
            return f"{said}; {caught_words(trap, [], command, frozen)}"
        return f"{said}: {undo}"
    if canary in taking:
        return (
            f"{name}: the canary {canary} serves {taking[canary]}% (its promotion had begun): "
            "what served before it is only in the journal of the change"
        )
    if len(taking) != 1 and not proof:  # the team's own split is kept as it is
        split = ", ".join(f"{r} {p}%" for r, p in taking.items()) or "no revision"
        return (
            f"{name}: the traffic goes to {split}: which share went to LATEST before the canary "
            "is only in the journal of the change"
        )
    if proof is None:  # ListRevisions left out the canary or what serves
        return (
            f"{name}: its revisions as listed do not hold both the canary {canary} and "
            f"{', '.join(taking) or 'a serving revision'}: whose pin this is cannot be told"
        )
    return ""


def _running(name: str, change: str, canary: str, records: Sequence[RevisionRecord]) -> str:
    """Why the canary may still be in the hands of the fix that made it ("" when no fix can
    be running on it any more: `drift.diff.unserved.canary_running`)."""
    words = canary_running(canary, change, records, dt.datetime.now(dt.UTC))
    if not words:
        return ""
    return (
        f"{name}: {words}: rolled back from the live service, "
        "a fix in flight would be undone; run this again once the canary is "
        f"{HOURS} old, or with --stopped once that fix is known to have stopped"
    )


def _frozen(live: Any, served: str) -> list[str]:
    """The 0 % tags on the revision that serves (`drift.live.trap.frozen_tags`: what check's
    revision.pinned names too)."""
    return frozen_tags(live.traffic_statuses, served)


def _words(live: Any, entry: Entry, canary: str, tag: str, proof: str | None) -> str:
    """What the rollback of the rebuilt `entry` does that only the journal could vouch for."""
    taking = list(shares(live))
    base = entry.base_revision
    if proof:
        return (
            f"{own_pin_words(taking, proof)}: it stays exactly as it is, only the canary's "
            f"target and tag go; the template goes back to the configuration of {base}, the "
            "latest ready revision before the canary (a new revision, which the pin gives no "
            "traffic)"
        )
    (served,) = taking
    return (
        f"The traffic its canary pinned to {served} goes back to LATEST, which resolves to a "
        f"new revision of that configuration (a pin put on {served} on purpose, the latest "
        "ready revision then, would become LATEST too: the revisions cannot tell it from "
        f"drift's){frozen_words(_frozen(live, served))}"
    )
