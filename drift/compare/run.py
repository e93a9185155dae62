"""Compare two environments: two merged profiles (no cloud call), or two live reads."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from functools import partial
from typing import Any

from drift import redact
from drift.compare import deployment
from drift.compare.accounts import place_accounts, unknown_accounts, view_unplaced
from drift.compare.model import (
    SIDES,
    Comparison,
    Difference,
    ServiceView,
    Side,
    Unread,
    sort_differences,
)
from drift.compare.rules import Context
from drift.compare.secrets import learn_referenced, same_secret_values
from drift.compare.unprofiled import list_every_kind, listed, unprofiled
from drift.compare.views import (
    compared_revisions,
    live_views,
    other_revisions,
    paired,
    profile_views,
    split_unlike,
    unlisted_notes,
    unread_settings_notes,
)
from drift.errors import ApiError, UsageError
from drift.findings import Scope
from drift.kinds import Kind
from drift.live.api import Listing
from drift.live.reader import every_history
from drift.live.secrets import Tasks
from drift.live.session import Session
from drift.live.state import LiveState
from drift.live.value_reads import SHOWN, ValueReads, unread_values_note
from drift.profiles.model import Profile
from drift.redact import MASK
from drift.refs import SecretRef
from drift.settings import Settings


def compare_profiles(a: Profile, b: Profile, services: Sequence[str] | None = None) -> Comparison:
    """Compare two merged profiles (no cloud call)."""
    _two(a, b)
    names = _names(a, b, services)
    ctx = Context("profiles", _env(a), _env(b), built_on=_built_on(a, b))
    views_a, views_b = profile_views(a, names), profile_views(b, names)
    differences = ctx.compare(views_a, views_b, names)
    # a secret of a project named by number: whether it is the other side's is not known
    unread = _unknown_projects(ctx, views_a, views_b) if not ctx.same_deployment else []
    return Comparison(
        "profiles", ctx.a, ctx.b, tuple(names), differences, tuple(unread), ctx.notes()
    )


async def compare_live(
    a: Profile,
    b: Profile,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    secret_values: bool = True,
) -> Comparison:
    """Read both environments' services concurrently and compare what they run with: the
    workloads and the projects their references name, nothing of the secrets but, with
    `secret_values`, the value of each version they reference (`learn_referenced`: to mask
    its copies and parts; those of references that differ compared). Two profiles of one
    project and region share their answers: each thing is asked for once. Two deployments,
    with no `services` chosen: each side's workloads of every kind are listed, once, and its
    read uses those Lists; what neither profile names is compared by name (`unprofiled`)."""
    _two(a, b)
    names = _names(a, b, services)
    mine_a = [n for n in names if n in a.services]
    mine_b = [n for n in names if n in b.services]
    same = (a.project, a.region) == (b.project, b.region)
    # two deployments, every workload: each side's Lists, which its read uses (F6)
    every = not same and not services
    # One run's answers, which both reads find there: a read keys a workload's calls by its
    # location (`reader.shared_key`), so one profile of each deployment never takes the
    # other's; a project's (GetProject) is the run's, asked once whichever side names it
    # first (helper-633 F6).
    shared = Tasks()
    # every workload's revisions too: a password renamed is known by an older one
    read = partial(Session.read, wait=settings.wait, secrets="projects", history=every_history)
    async with Session(settings.access()) as session:
        lists = [list_every_kind(session, p, shared) for p in (a, b)] if every else []
        values = session.values(a.project) if secret_values else None
        try:
            state_a, state_b = await _both(
                read(session, a, mine_a, shared=shared), read(session, b, mine_b, shared=shared)
            )
            found = {side: await listed(one) for side, one in zip(SIDES, lists, strict=False)}
            # every value known before anything is described, beside the accounts' projects
            placed = place_accounts(session, a, b, state_a, state_b)
            unlearnt: dict[SecretRef, ApiError] = {}  # values to mask not read: said
            if values is None:
                unplaced = await placed
            else:
                learnt = learn_referenced(values, ((a, state_a), (b, state_b)))
                unplaced, unlearnt = await asyncio.gather(placed, learnt)
        except BaseException:
            if values is not None:  # a value read beside what failed: never left running
                values.discard()
            raise
        finally:
            shared.discard()  # all done, unless a read failed: then nothing left running
        return await _compare_read(
            a, b, names, state_a, state_b, values, unplaced, found, unlearnt=unlearnt
        )


async def _both(
    first: Coroutine[Any, Any, LiveState], second: Coroutine[Any, Any, LiveState]
) -> tuple[LiveState, LiveState]:
    """Both sides' reads at once. When one fails, the other is cancelled and awaited before
    the first error is raised: never left running into asyncio.run's shutdown, where its own
    error (the same expired credentials) would be printed as a traceback (SPEC invariant 7)."""
    try:
        async with asyncio.TaskGroup() as group:
            one, two = group.create_task(first), group.create_task(second)
    except BaseExceptionGroup as failed:
        error: BaseException = failed
        while isinstance(error, BaseExceptionGroup):
            error = error.exceptions[0]
        raise error from error.__cause__
    return one.result(), two.result()


async def _compare_read(
    a: Profile,
    b: Profile,
    names: list[str],
    state_a: LiveState,
    state_b: LiveState,
    values: ValueReads | None,
    unplaced: str = "",
    listings: dict[Side, dict[Kind, Listing]] | None = None,
    *,
    unlearnt: Mapping[SecretRef, ApiError] | None = None,
) -> Comparison:
    """Compare what was read, and (with `values`: the values its references name, read)
    secret values held under other names (`unplaced`: why a project's number could not be
    looked up, `place_accounts`);
    `listings`: each side's workloads of every kind, for those neither profile names;
    `unlearnt`: the values read to mask their copies that could not be read, with why."""
    ctx = Context("live", _env(a), _env(b), built_on=_built_on(a, b))
    unread = _unread("a", state_a) + _unread("b", state_b)
    skip = {u.service for u in unread}
    # Made once the values are known (`learn_referenced`): whether a plain value is a
    # value's start or end (a secret pasted as two variables) is judged on the value itself,
    # by `mask_plain`, before it masks anything within it (helper-769 B2; SPEC invariant 1:
    # masked on the data, never the rendered text), whichever reference names it.
    views_a, views_b = _views(a, b, state_a, state_b, skip)
    ctx.absent = {"a": _absent(a, state_a, names), "b": _absent(b, state_b, names)}
    # and what the value reads' answers named (task 832: GetProject refused, `x` of
    # projects/333 and of acme-vault were not known to be one secret though an answer said so)
    learnt = values.learnt if values is not None else {}
    ctx.projects = {**learnt, **state_a.projects, **state_b.projects}
    compared = [n for n in names if n not in skip]
    shared: tuple[list[Difference], list[Unread]] | None = None
    if values is not None and not ctx.same_deployment:
        shared = await same_secret_values(ctx, views_a, views_b, compared, values)
    differences = list(ctx.compare(views_a, views_b, compared))
    found, listed_notes, unlisted = unprofiled(ctx, listings, names) if listings else ([], [], [])
    differences += found
    unread += unlisted
    if not ctx.same_deployment:
        unread += _unknown_projects(ctx, views_a, views_b)  # what they name cannot be told
        unread += unknown_accounts(ctx.projects, views_a, views_b, unplaced)
        # the other revisions reached: what names the other side
        start = len(ctx.out)
        both = views_a.keys() & views_b.keys()  # as the compared revisions: paired ones only
        for one, profile, state in zip(SIDES, (a, b), (state_a, state_b), strict=True):
            reached = other_revisions(state, profile, both)  # each view made once
            unlike = split_unlike(state, reached, profile.project)
            unread += [Unread(one, n, "revision", why) for n, why in unlike]
            for name, (main, others) in reached.items():
                for reach, view in others:
                    ctx.foreign_elsewhere(one, main, view, reach)
                    unread += _unknown_elsewhere(ctx, one, name, main, view, reach, unplaced)
        differences += ctx.out[start:]
    if shared is not None:
        differences += shared[0]
        unread += shared[1]
    if values is not None:
        # What a difference says besides a view's value (its message, a setting's value) was
        # not masked with the values read: it is here, on the data, in every format (SPEC
        # invariant 1; the final scrub leaves single words alone, revmatrix F1).
        differences = [_masked(d) for d in differences]
        unread = [replace(u, reason=redact.mask(u.reason)) for u in unread]
    if any(n not in ctx.nowhere for n in compared):
        notes = [*ctx.notes(), *deployment.nowhere_notes(ctx)]
    else:  # nothing compared: not a parity
        unread += deployment.nowhere_unread(ctx)
        notes = list(ctx.notes())
    notes += listed_notes
    if values is None:  # helper-531 LOW-2; task 777
        notes.append(_NOT_READ if ctx.same_deployment else _NOT_COMPARED)
    notes += unread_values_note(unlearnt or {})  # helper-781 C1
    for side, (profile, state) in enumerate(((a, state_a), (b, state_b))):
        if side == 0 or not ctx.same_deployment:  # else the same services: said once
            notes += compared_revisions(profile.environment, state, looked=not ctx.same_deployment)
            notes += unread_settings_notes(profile.environment, state, compared)
            notes += unlisted_notes(profile.environment, state)
    notes = [redact.mask(note) for note in notes]
    return Comparison(
        "live",
        ctx.a,
        ctx.b,
        tuple(names),
        tuple(sort_differences(differences)),
        tuple(unread),
        tuple(notes),
        tuple(n for n in compared if n not in ctx.nowhere),
    )


def _views(
    a: Profile, b: Profile, state_a: LiveState, state_b: LiveState, skip: set[str]
) -> tuple[dict[str, ServiceView], dict[str, ServiceView]]:
    """Each side's live views, but those of `skip`, with their containers `paired`: their
    plain values masked with the secrets known now."""
    views_a = {n: v for n, v in live_views(state_a, a).items() if n not in skip}
    views_b = {n: v for n, v in live_views(state_b, b).items() if n not in skip}
    for n in views_a.keys() & views_b.keys():
        views_a[n], views_b[n] = paired(views_a[n], views_b[n])
    return views_a, views_b


def _unknown_projects(
    ctx: Context, views_a: dict[str, ServiceView], views_b: dict[str, ServiceView]
) -> list[Unread]:
    """A reference of a service both sides run whose project is a number no read learned:
    what it names of the other side, or shares with it, cannot be told (`unknown_project`);
    not when the other side's variable references the very same secret, which is said as
    shared already (helper-534)."""
    out = []
    for name in sorted(views_a.keys() & views_b.keys()):
        env_a, env_b = views_a[name].env, views_b[name].env
        for side, env, other in zip(SIDES, (env_a, env_b), (env_b, env_a), strict=True):
            for key, var in env.items():
                ref, there = var.secret, other.get(key)
                if ref is None:
                    continue
                theirs = there.secret if there is not None else None
                if theirs is not None and theirs.secret_ref == ref.secret_ref:
                    continue  # the very same secret, whatever its version: said as shared
                why = ctx.unknown_project(side, ref)
                if why:
                    out.append(Unread(side, name, f"env.{var.name}", why))
    return out


def _unknown_elsewhere(
    ctx: Context,
    side: Side,
    name: str,
    main: ServiceView,
    view: ServiceView,
    reach: str,
    unplaced: str,
) -> list[Unread]:
    """`_unknown_projects` and `unknown_accounts` for another revision `side` serves or tags
    (`reach`), where it holds what the compared one does not: a reference or a value naming
    a project by a number no read placed is not known to be the other environment's, never
    "not foreign" (helper-581 F2: a 0 % tag reading the other project's secret by number,
    GetProject refused, was "equivalent", exit 0)."""
    out = []
    for key, var in view.env.items():
        seen = main.env.get(key)
        if var.secret is None or (seen is not None and seen.secret == var.secret):
            continue
        if why := ctx.unknown_project(side, var.secret):
            out.append(Unread(side, name, f"env.{var.name}", f"in revision {reach}: {why}"))
    said = {t for t, _ in view_unplaced(ctx.projects, main, unplaced)}  # said already
    out += [
        Unread(side, name, target, f"in revision {reach}: {why}")
        for target, why in view_unplaced(ctx.projects, view, unplaced)
        if target not in said
    ]
    return out


def _masked(d: Difference) -> Difference:
    """`d` with every secret value known now masked in what it says and shows, and a value
    shown as it is (a setting's) that is a read secret's start or end (`redact.is_piece`).
    A variable's value is judged where its view is made (`mask_plain`, on the value itself):
    its text shown may be changed already (`DB_PASSWORD=***`), no start or end any more."""
    a, b = (MASK if v is not None and redact.is_piece(v) else v for v in (d.a, d.b))
    return replace(
        d,
        message=redact.mask(d.message),
        a=redact.mask_optional(a),
        b=redact.mask_optional(b),
    )


_NOT_READ = f"secret values were not read (--no-secret-values): {SHOWN}"
_NOT_COMPARED = (
    "secret values were not compared (--no-secret-values): two references to different "
    f"secrets that hold the same value are not found, and {SHOWN}"
)

WHOLE = frozenset(kind.value for kind in Kind)
"""The targets of an unread workload as a whole (`service`, `job`, `worker_pool`)."""


def _env(profile: Profile) -> Scope:
    return Scope(profile.environment, profile.project, profile.region)


def _two(a: Profile, b: Profile) -> None:
    """Refuse one environment named twice: compared with itself it is always "equivalent"
    (exit 0), which `drift compare staging staging`, a typo for `staging prod` in a CI step,
    must never pass for (revcmp89 F1); nor two names of one file (`Staging` on a file system
    that ignores case, a link: helper-531 HIGH-1)."""
    if a.environment == b.environment:
        raise UsageError(
            f"environment {a.environment} was named twice: compare needs two environments "
            f"(drift compare {a.environment} OTHER_ENV)"
        )
    with suppress(OSError):  # a file gone since it was read: its name is what there is
        if os.path.samefile(a.location.file, b.location.file):
            raise UsageError(
                f"{a.environment} and {b.environment} are one profile, "
                f"{a.location.file}: compare needs two environments"
            )


def _built_on(a: Profile, b: Profile) -> bool:
    """Whether one profile extends the other, directly or through a chain: the files the
    one's `extends` chain merges hold every file of the other's (not the files that gave a
    value: a sibling that sets nothing of its own holds none but the base's; helper-534)."""
    one, other = set(a.chain), set(b.chain)
    return one < other or other < one


def _names(a: Profile, b: Profile, wanted: Sequence[str] | None) -> list[str]:
    every = list(dict.fromkeys([*a.services, *b.services]))
    if not wanted:
        return every
    unknown = [s for s in wanted if s not in every]
    if unknown:
        raise UsageError(
            f"unknown service {', '.join(map(repr, unknown))} in profiles {a.environment} and "
            f"{b.environment} (services: {', '.join(every) or 'none'})"
        )
    return list(dict.fromkeys(wanted))


def _absent(profile: Profile, state: LiveState, names: list[str]) -> dict[str, str]:
    """Why a service has no live view on this side."""
    absent = dict.fromkeys(state.missing, f"does not exist in {profile.where}")
    absent.update(
        {n: f"not in profile {profile.environment}" for n in names if n not in profile.services}
    )
    return absent


def _unread(side: Side, state: LiveState) -> list[Unread]:
    """Workloads and revisions that could not be read (secret metadata does not matter
    here); a job or worker pool by its key (`job/NAME`), as the comparison names it."""
    return [
        Unread(side, u.key, u.target, u.reason)
        for u in state.unverified
        if u.target in WHOLE or u.target.startswith("revision.")
    ]
