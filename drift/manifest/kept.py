"""The revisions a manifest's traffic keeps serving (helper-544 F3). A no-traffic deploy (a
named revision at 100 %, LATEST at 0 % with a tag) or a split leaves traffic on revisions the
manifest does not describe: once deployed they still serve, so a gate that checked only the
revision the deploy creates would pass a drifted one. Each is read as it runs now
(GetRevision) and judged by the same rules as the deploy's own revision; one that cannot be
read, or any offline, is not verified (SPEC invariant 6: incomplete never looks clean)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from drift.errors import ApiError
from drift.findings import Unverified
from drift.kinds import Kind
from drift.live.model import ServingRevision
from drift.live.normalize import raw, revision_config
from drift.live.state import LiveState
from drift.manifest.model import Workload
from drift.manifest.serving import UNNAMED, kept_shares
from drift.profiles.model import Profile

if TYPE_CHECKING:
    from drift.live.session import Session


def _share(workload: Workload, percent: int) -> str:
    what = "instances" if workload.kind is Kind.WORKER_POOL else "traffic"
    return f"{percent} % of the {what} once deployed (the manifest keeps it there)"


def kept_offline(chosen: dict[str, Workload]) -> list[Unverified]:
    """Offline, each revision a manifest keeps serving is not read: not verified."""
    return [
        Unverified.at(key, f"revision.{name}", f"serves {_share(w, p)}; not read (--offline)")
        for key, w in chosen.items()
        for name, p in kept_shares(w).items()
    ]


async def read_kept(
    session: Session, profile: Profile, chosen: dict[str, Workload], state: LiveState
) -> None:
    """Read every revision the manifests keep serving at once, and add each to its workload's
    serving revisions (judged as the deploy's own is); one not read is not verified, with the
    API's answer. Before the secrets are resolved: a kept revision's references are checked
    too."""
    wanted = [
        (key, w, name, percent)
        for key, w in chosen.items()
        if key in state.services
        for name, percent in kept_shares(w).items()
    ]
    read = await asyncio.gather(
        *(_revision(session, w, name) for _, w, name, _ in wanted), return_exceptions=True
    )
    for (key, workload, name, percent), revision in zip(wanted, read, strict=True):
        if isinstance(revision, BaseException):
            if not isinstance(revision, ApiError | LookupError):
                raise revision
            why = revision.reason if isinstance(revision, ApiError) else str(revision)
            state.unverified.append(
                Unverified.at(key, f"revision.{name}", f"serves {_share(workload, percent)}; {why}")
            )
            continue
        live = state.services[key]
        expected = profile.services[key]
        config = revision_config(
            revision, service=raw(workload.resource), container=expected.container,
            kind=workload.kind,
        )  # fmt: skip
        kept = ServingRevision(name, percent, (), (), config, source=revision)
        state.services[key] = replace(live, serving=(*live.serving, kept))


async def _revision(session: Session, workload: Workload, name: str) -> Any:
    if name == UNNAMED:
        raise LookupError("its traffic target names no revision to read")
    return await session.revision(f"{raw(workload.resource).name}/revisions/{name}")
