"""The workloads of two live environments that neither profile names (helper-618 F6): each
side's services, jobs and worker pools are listed, one List per kind per side, and the read
finds those lists there (`Reader._listed`: a profiled workload a List brought is asked for with
no Get of its own). A workload one environment runs and the other does not is
`service.only_in`, as for a profiled one: `compare --live staging prod` says that prod lacks
the worker staging runs, even when `drift init` wrote the profiles before it was added."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from functools import partial

from drift.compare.model import SIDES, Difference, Kind, Side, Unread
from drift.compare.sides import Sides, other_side
from drift.kinds import Kind as Workload
from drift.kinds import key_label, workload_key
from drift.live.api import Listing, parent
from drift.live.reader import shared_key
from drift.live.session import Session
from drift.live.tasks import Tasks
from drift.live.workloads import list_kind
from drift.profiles.model import Profile

Lists = dict[Workload, asyncio.Task[Listing]]


def list_every_kind(session: Session, profile: Profile, shared: Tasks) -> Lists:
    """Start the Lists of `profile`'s project and region, one per kind, in `shared`: the read
    given `shared` uses them (`shared_key`), never listing again."""
    where = parent(profile.project, profile.region)
    return {
        kind: shared.once(
            shared_key(where, ("list", kind)),
            partial(list_kind, session.clients, session.runner, where, kind),
        )
        for kind in Workload
    }


async def listed(lists: Lists) -> dict[Workload, Listing]:
    """What each List answered (a failed one says why in `Listing.error`)."""
    return {kind: await task for kind, task in lists.items()}


def unprofiled(
    ctx: Sides, listings: dict[Side, dict[Workload, Listing]], names: Collection[str]
) -> tuple[list[Difference], list[str], list[Unread]]:
    """The workloads of a kind listed on both sides that neither profile names (`names`):
    `service.only_in` for one that is on one side only (a difference: the exit code says it),
    a note for those both run, which are not compared, and an item not read for each kind a
    List of which failed: its workloads were not looked for, so the comparison is incomplete
    (exit 3), never a parity (helper-625 F2; the profiled ones were read as they are)."""
    found: list[Difference] = []
    notes: list[str] = []
    unread: list[Unread] = []
    for kind in Workload:
        failed = [(s, listings[s][kind].error) for s in SIDES if listings[s][kind].error]
        for side, error in failed:
            why = (
                f"the {kind.noun}s of {ctx.env(side).where} could not be listed "
                f"({error.reason if error else ''}): {kind.noun}s neither profile names were "
                "not looked for"
            )
            unread.append(Unread(side, f"{kind.noun}s", "list", why))
        if failed:
            continue
        keys = {
            side: {workload_key(kind, n) for n in listings[side][kind].items} - set(names)
            for side in SIDES
        }
        for side in SIDES:
            other = other_side(side)
            found += [_only_in(ctx, side, other, k) for k in sorted(keys[side] - keys[other])]
        if both := sorted(keys["a"] & keys["b"]):
            notes.append(
                f"{ctx.a.environment} and {ctx.b.environment} both run "
                f"{', '.join(map(key_label, both))}, which neither profile names: not compared"
            )
    return found, notes, unread


def _only_in(ctx: Sides, side: Side, other: Side, key: str) -> Difference:
    here, there = ctx.env(side), ctx.env(other)
    why = f"does not exist in {there.where}"
    shown = (f"in {here.where}", why) if side == "a" else (why, f"in {here.where}")
    return Difference(
        Kind.SERVICE_ONLY_IN,
        key,
        "service",
        f"{key_label(key)} is only in {here.environment} ({there.environment}: {why}); "
        "neither profile names it",
        *shown,
        side,
    )
