"""What `drift init --from-live` lists before it reads: every workload of each kind in the
project and region, and the project's secrets beside them; and why the workloads could not be
listed, which writes nothing. With `--service`, every kind is listed beside the read, best
effort, for the secrets the workloads not named reference (a plain copy of one is withheld as
without `--service`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Collection, Sequence
from typing import TYPE_CHECKING

from drift.errors import ApiError, DriftError, IncompleteRead, UsageError
from drift.kinds import Kind, workload_key
from drift.live.normalize import template_config
from drift.next_steps import (
    hint_lines,
    project_may_not_exist,
    refused_throughout,
    region_may_be_wrong,
)
from drift.onboarding.withheld import FOR_GOOD
from drift.refs import SecretRef

if TYPE_CHECKING:
    from drift.live.api import Listing
    from drift.live.session import Session
    from drift.live.tasks import Tasks


async def workload_keys(
    session: Session, project: str, region: str, set_by: tuple[str, str], listed_once: Tasks
) -> list[str]:
    """The key of every workload in `project`/`region`, each kind listed once (kept in
    `listed_once`, where the read finds them), and the project's secrets listed beside them,
    not a round after (helper-633 F4); `set_by`: where the project and region were set."""
    session.list_secrets(project, listed_once)
    # every list's outcome is awaited and read: a failed one ends the command only once the
    # others have ended too (none fails unread at the loop's shutdown), and which is reported
    # does not depend on which answered first
    answers = await asyncio.gather(
        *(session.list_workloads(project, region, k, listed_once) for k in Kind),
        return_exceptions=True,
    )
    unlike = (ApiError, list)  # an outcome of neither: a bug or Ctrl-C, raised as is
    if other := next((r for r in answers if not isinstance(r, unlike)), None):
        raise other
    if failed := [r for r in answers if isinstance(r, ApiError)]:
        raise unlisted(failed, project, region, set_by[0]) from failed[0]
    names = [
        workload_key(k, n)
        for k, found in zip(Kind, answers, strict=True)
        if not isinstance(found, BaseException)
        for n in found
    ]
    if not names:
        raise UsageError(
            f"no Cloud Run services, jobs or worker pools in {project}/{region}: nothing to "
            "describe",
            hint=region_may_be_wrong(project, set_by[1]),
        )
    return names


def list_beside(
    session: Session, project: str, region: str, listed_once: Tasks
) -> list[Awaitable[Listing]]:
    """`--service`: every kind listed as the workloads named are read (each List kept in
    `listed_once`, where the read finds a named one, as without `--service`, and
    `of_other_kinds` looks: none made twice), for `others_referenced`."""
    return [session.listing(project, region, kind, listed_once) for kind in Kind]


async def others_referenced(
    listings: Sequence[Awaitable[Listing]], named: Collection[str], project: str, region: str
) -> tuple[list[SecretRef], tuple[str, ...], tuple[str, ...]]:
    """The secret references of every workload the Lists (`list_beside`, in `Kind` order)
    brought that is not `named`: its template's, as the List brought it, whose values init
    reads too, so that a plain copy of one in a workload named is withheld as without
    `--service` (helper-646 O2); and for each List that failed (denied, or failed after its
    retries), what it leaves unknown: a note where it was refused, an incomplete item where
    it failed for now; never the command's failure, since `--service` is the way to describe
    workloads when a List is denied (`unlisted`)."""
    refs: list[SecretRef] = []
    notes: list[tuple[bool, str]] = []
    if not listings:  # no --service: every workload is read, nothing listed beside
        return refs, (), ()
    for kind, listing in zip(Kind, await asyncio.gather(*listings), strict=True):
        for name, workload in listing.items.items():  # the pages read before a failure too
            if workload_key(kind, name) not in named:
                config = template_config(workload, container=None, kind=kind)
                refs += [ref for *_, ref in config.secret_refs()]
        if (error := listing.error) is not None:
            notes.append((error.status in FOR_GOOD, _not_listed(kind, error, project, region)))
    # a refusal is said; a List that failed for now (an outage, a quota) leaves the profile
    # incomplete (exit 3), as a value unread for now does (`unread_values`)
    return refs, tuple(n for good, n in notes if good), tuple(n for good, n in notes if not good)


def _not_listed(kind: Kind, error: ApiError, project: str, region: str) -> str:
    """What a List that failed beside `--service` leaves unknown, naming it (its call, its
    status, and the permission a denied one needs: `unlisted`)."""
    needs = ""
    if error.status == "PERMISSION_DENIED" and not error.disabled:
        needs = f", needs run.{error.call.removeprefix('List').lower()}.list"
    plural = f"{kind.noun}s"
    return (
        f"could not list the {plural} in {project}/{region} ({error.call}: {error.status}"
        f"{needs}): a plain value holding a copy of a secret only other {plural} reference is "
        "not known, and is written as Cloud Run shows it; review the plain values before "
        "committing the profile"
    )


def unlisted(
    errors: Sequence[ApiError], project: str, region: str, project_from: str
) -> DriftError:
    """Why the workloads could not be listed (`errors`: each failed list, in `Kind` order),
    and what to do next. A project or region Cloud Run does not know (INVALID_ARGUMENT,
    NOT_FOUND) is a usage error (2); a denied or failed list leaves the read incomplete (3,
    SPEC exit codes). Every list refused in the project: it may not exist or be mistyped
    (`project_may_not_exist`, as `check` says it). A denied List names its permission
    (run.services.list, run.jobs.list, run.workerpools.list: all in roles/run.viewer,
    https://cloud.google.com/run/docs/reference/iam/roles) and `--service`, which reads the
    workloads named needing no list (one that fails beside it is a note: `others_referenced`).
    Nothing is written either way: a profile missing the workloads of a kind would later read
    as covering them all."""
    exc = errors[0]
    if exc.status in ("INVALID_ARGUMENT", "NOT_FOUND"):
        return UsageError(
            f"could not list the workloads: {exc.reason}\n  check --project / --region "
            f"(project {project}, region {region}); nothing was written"
        )
    lines = [f"could not list the workloads in {project}/{region}: nothing was written", exc.reason]
    if len(errors) == len(Kind) and refused_throughout(project, (e.reason for e in errors)):
        lines.append(project_may_not_exist(project, project_from))
    denied = [e for e in errors if e.status == "PERMISSION_DENIED" and not e.disabled]
    if denied:
        needs = ", ".join(f"run.{e.call.removeprefix('List').lower()}.list" for e in denied)
        lines += [
            f"{', '.join(e.call for e in denied)} need{'s' if len(denied) == 1 else ''} "
            f"{needs} (in roles/run.viewer): grant {'it' if len(denied) == 1 else 'them'}, or "
            "name the "
            "workloads to describe, which needs no list: --service NAME (repeatable; "
            "job/NAME, worker_pool/NAME for the other kinds)",
            "nothing is written without every list: a profile missing the workloads of a kind "
            "would later read as covering them all",
        ]
    # failed otherwise (unavailable, a quota): what to do, as `check` says it
    return IncompleteRead(
        "\n  ".join(lines) + hint_lines(e.reason for e in errors if e not in denied)
    )
