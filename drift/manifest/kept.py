"""The revisions a manifest's traffic keeps serving (helper-544 F3), or keeps reachable
through a checked traffic tag at 0 % (helper-600 F1: each has its own URL once deployed). A
no-traffic deploy (a named revision at 100 %, LATEST at 0 % with a tag) or a split leaves
traffic on revisions the manifest does not describe: once deployed they still serve, so a gate
that checked only the revision the deploy creates would pass a drifted one. Each is read as it
runs now (GetRevision) and judged by the same rules as the deploy's own revision (one reached
through a tag as the live check judges it); one that cannot be read, or any offline, is not
verified (SPEC invariant 6: incomplete never looks clean)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from drift.errors import ApiError
from drift.findings import Unverified
from drift.kinds import Kind
from drift.live.model import ServingRevision
from drift.live.normalize import outside_split, raw, revision_config
from drift.live.state import LiveState
from drift.manifest.model import Workload
from drift.manifest.serving import UNNAMED, kept_shares, kept_tags
from drift.profiles.model import Profile

Kept = tuple[int, tuple[str, ...]]
"""A kept revision's share of the traffic (0: reached through its tags only), and its tags."""

if TYPE_CHECKING:
    from drift.live.session import Session


def _share(workload: Workload, percent: int, tags: tuple[str, ...] = ()) -> str:
    if percent <= 0:
        named = ("tags " if len(tags) > 1 else "tag ") + ", ".join(tags)
        return f"reachable through {named} once deployed (the manifest keeps it, at 0 %)"
    what = "instances" if workload.kind is Kind.WORKER_POOL else "traffic"
    return f"serves {percent} % of the {what} once deployed (the manifest keeps it there)"


def kept(profile: Profile, key: str, workload: Workload) -> dict[str, Kept]:
    """Each revision the manifest keeps serving (`kept_shares`), then each it keeps reachable
    only through a tag the profile's `check_tags` selects (`kept_tags`), as the live reader
    reaches them (`drift.live.reads.reachable`)."""
    out: dict[str, Kept] = {name: (p, ()) for name, p in kept_shares(workload).items()}
    service = profile.services[key]
    out.update({name: (0, t) for name, t in kept_tags(workload, service.checks_tag).items()})
    return out


def kept_offline(profile: Profile, chosen: dict[str, Workload]) -> list[Unverified]:
    """Offline, each revision a manifest keeps serving or reachable is not read: not
    verified."""
    return [
        Unverified.at(key, f"revision.{name}", f"{_share(w, p, t)}; not read (--offline)")
        for key, w in chosen.items()
        for name, (p, t) in kept(profile, key, w).items()
    ]


async def read_kept(
    session: Session, profile: Profile, chosen: dict[str, Workload], state: LiveState
) -> None:
    """Read every revision the manifests keep serving or reachable at once, and add each to
    its workload's serving revisions, or its tagged ones (judged as the deploy's own is, a
    tagged one as the live check judges one: its findings carry the tag); one not read is
    not verified, with the API's answer. Before the secrets are resolved: a kept revision's
    references are checked too."""
    wanted = [
        (key, w, name, share)
        for key, w in chosen.items()
        if key in state.services
        for name, share in kept(profile, key, w).items()
    ]
    read = await asyncio.gather(
        *(_revision(session, w, name) for _, w, name, _ in wanted), return_exceptions=True
    )
    for (key, workload, name, (percent, tags)), revision in zip(wanted, read, strict=True):
        if isinstance(revision, BaseException):
            if not isinstance(revision, ApiError | LookupError):
                raise revision
            why = revision.reason if isinstance(revision, ApiError) else str(revision)
            state.unverified.append(
                Unverified.at(key, f"revision.{name}", f"{_share(workload, percent, tags)}; {why}")
            )
            continue
        live = state.services[key]
        expected = profile.services[key]
        service = raw(workload.resource)
        # a revision reached only through a tag runs without the service-level bounds, as
        # the live reader reads it (`outside_split`)
        under = outside_split(service) if percent <= 0 else service
        config = revision_config(
            revision, service=under, container=expected.container, kind=workload.kind
        )
        urls = tuple("" for _ in tags)  # a tag's URL is not known before the deploy
        found = ServingRevision(name, percent, tags, urls, config, source=revision)
        if percent <= 0:
            state.services[key] = replace(live, tagged=(*live.tagged, found))
        else:
            state.services[key] = replace(live, serving=(*live.serving, found))


async def _revision(session: Session, workload: Workload, name: str) -> Any:
    if name == UNNAMED:
        raise LookupError("its traffic target names no revision to read")
    return await session.revision(f"{raw(workload.resource).name}/revisions/{name}")
