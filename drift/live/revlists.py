"""Each service's and worker pool's revisions, listed when the read starts where every
workload's history is wanted (`compare --live`, `init --from-live`: `reader.every_history`):
ListRevisions needs only the workload's name, which the profile gives, so it runs beside the
workloads' List or Get and their GetRevisions instead of a round after them (helper-633 F3).
(The revisions a tag or a split reaches are still read with their GetRevision: a caller
allowed to list revisions may not be allowed to get one, run.revisions.get and
run.revisions.list being two permissions, and what it cannot read is said.)

An early listing is used only where it is as good as one made after the workload was read:
it was asked for the workload the answer names (its location, kind and short name: a profile
naming its project by number lists `projects/NUMBER/…`, and Cloud Run names the workload with
the project id, helper-647 F4), the workload was not being reconciled when first read (a deploy
in progress waited out changes its revisions after the listing), and, where it answered, it
holds the workload's latest created revision (a deploy that landed after it). Otherwise the
workload's revisions are listed once it is described, as they always were. A listing that
failed is the answer, said as any other ListRevisions failure: asking again would repeat a
refusal, or spend a second retry budget on an outage the first one outlasted (helper-647 F3).
(The early listing of a workload found missing, or left unverified by a deploy still in
progress, is a call made for nothing: one for a name that is not what the profile expects.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

from drift.errors import ApiError
from drift.kinds import Kind
from drift.live import history as revision_list
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.normalize import raw
from drift.live.secrets import Tasks
from drift.profiles.model import ServiceProfile

Once = Callable[[tuple[str, Any], Callable[[], Awaitable[Any]]], Awaitable[Any]]
"""`Reader._once`: a call's answer, shared with the other read of the run when there is one."""


class RevisionLists:
    def __init__(self, clients: Clients, runner: CallRunner, tasks: Tasks, once: Once) -> None:
        self.clients = clients
        self.runner = runner
        self.tasks = tasks
        self.once = once
        self._stale: set[str] = set()
        self._started: dict[tuple[str, ...], str] = {}
        """The name each early listing was asked for, by `_workload` (the project left out)."""

    def start(self, parent: str, profiles: Iterable[ServiceProfile]) -> None:
        """The ListRevisions of each service and worker pool of `profiles`, in the location
        `parent`, started now (a job has no revisions)."""
        for profile in profiles:
            if profile.kind in (Kind.SERVICE, Kind.WORKER_POOL):
                name = f"{parent}/{profile.kind.collection}/{profile.name}"
                self._started.setdefault(_workload(name), name)
                self.tasks.once(("early_revisions", name), partial(self._early, name))

    async def _early(self, name: str) -> list[Any] | ApiError:
        """The listing, or its error as a value (for a workload that does not exist it is
        never awaited: `Tasks.wait` must not raise it)."""
        make = partial(revision_list.revisions_of, self.clients, self.runner, name)
        try:
            return await self.once(("early_revisions", name), make)  # type: ignore[no-any-return]
        except ApiError as exc:
            return exc

    def reconciling(self, name: str) -> None:
        """The workload `name` was being reconciled when read: its early listing is not used."""
        self._stale.add(name)

    async def listed(self, workload: Any) -> list[Any]:
        """Every revision of `workload` (its answer from Cloud Run; ApiError when they cannot
        be listed): the early listing where it is good, else a ListRevisions made now, once a
        run."""
        pb = raw(workload)
        started = self._started.get(_workload(pb.name))
        early = self.tasks.get(("early_revisions", started)) if started else None
        if early is not None and pb.name not in self._stale:
            found = await early
            if isinstance(found, ApiError):
                raise found  # the workload's answer: not asked again (helper-647 F3)
            latest = pb.latest_created_revision.rsplit("/", 1)[-1]
            if latest in {raw(r).name.rsplit("/", 1)[-1] for r in found}:
                return found  # type: ignore[no-any-return]
        make = partial(revision_list.revisions_of, self.clients, self.runner, pb.name)
        return await self.once(("history", pb.name), make)  # type: ignore[no-any-return]


def _workload(name: str) -> tuple[str, ...]:
    """`projects/P/locations/L/services/S` → (L, services, S): one reader reads one project,
    whichever way it is spelled (number or id)."""
    return tuple(name.split("/")[3:])
