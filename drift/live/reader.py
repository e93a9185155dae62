"""Read live state concurrently: the profiled services and every revision a user can reach
(those with traffic, and those a traffic tag points to), the jobs (their template and latest
execution) and the worker pools (the revisions their instances run), then (through
`SecretChecks`, which manifests share) what every secret reference they hold resolves to and
what IAM grants. Each distinct item is asked for once; a failed read becomes an `Unverified`.
A deploy in progress is waited for, then reported unverified, never as drift."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any, TypeVar

from drift.errors import ApiError
from drift.fields import enum_name
from drift.findings import Unverified
from drift.kinds import Kind, workload_key
from drift.live import history as revision_list
from drift.live.api import Listing, get_revision, in_progress, parent, read_rolling, short
from drift.live.calls import CallRunner
from drift.live.changeids import canaries
from drift.live.clients import Clients
from drift.live.conditions import not_ready_message
from drift.live.model import LiveService, ServingRevision
from drift.live.normalize import outside_split, raw, revision_config, template_config
from drift.live.reads import reachable, to_fetch
from drift.live.remember import remember_history, remember_plain_secrets
from drift.live.resolve import SecretChecks, Secrets
from drift.live.revlists import RevisionLists
from drift.live.secrets import Tasks
from drift.live.state import LiveState
from drift.live.turns import Turns
from drift.live.workloads import (
    by_kind,
    get_instead,
    get_workload,
    job_service,
    latest_execution,
    list_kind,
    one_list,
)
from drift.profiles.model import Profile, ServiceProfile

log = logging.getLogger(__name__)
T = TypeVar("T")
HistoryWanted = Callable[[ServiceProfile, LiveService], bool]


def every_history(profile: ServiceProfile, live: LiveService) -> bool:
    """Every workload's revisions listed (`HistoryWanted`): where a password renamed and a
    secret pasted in are known by an older revision (`init --from-live`, `compare --live`)."""
    return True


POLL_FIRST = 0.5
POLL_MAX = 5.0


def shared_key(parent: str, key: tuple[str, Any]) -> tuple[str, Any]:
    """Where a reader of the location `parent` finds a call's answer in `Reader.shared`: a
    List made before the read (`Session.list_workloads`) is found there, never asked again."""
    return ("reader", (parent, *key))


class Reader:
    def __init__(
        self,
        clients: Clients,
        runner: CallRunner,
        project: str,
        region: str,
        *,
        wait: float = 0.0,
        history: HistoryWanted | None = None,
        secrets: Secrets = "read",
        shared: Tasks | None = None,
        compared: frozenset[str] = frozenset(),
    ) -> None:
        self.clients = clients
        self.runner = runner
        self.project = project
        self.region = region
        self.wait = wait
        """How long a deploy in progress is waited for before it is reported unverified."""
        self.history = history
        """Which services' revision history to read (as soon as they are described, while the
        rest is read): the check asks for those whose configuration has drifted."""
        self.state = LiveState()
        self.checks = SecretChecks(
            clients, runner, project, self.state, secrets=secrets, shared=shared, compared=compared
        )
        self.tasks = self.checks.tasks
        self.access = self.checks.access
        self.shared = shared
        """The answers of another read of the same project and region in the same run
        (`compare --live` of two profiles that both name it): each asked for once."""
        self.revisions = RevisionLists(clients, runner, self.tasks, self._once)
        self.turns = Turns()
        """Describing a workload is CPU (a List's are all ready at once): one at a time."""

    @property
    def parent(self) -> str:
        return parent(self.project, self.region)

    async def read(self, profile: Profile, names: Iterable[str]) -> LiveState:
        try:
            return await self._read(profile, names)
        except BaseException:
            self.tasks.discard()
            raise

    async def _read(self, profile: Profile, names: Iterable[str]) -> LiveState:
        profiles = [profile.services[n] for n in names]
        # Start at once what does not depend on the services (the secrets the profile
        # expects), then read the services, then what their references resolve to.
        kinds = by_kind(profiles)
        reading = asyncio.gather(*(self._read_kind(ps) for ps in kinds.values()))
        try:  # the Lists ask first: the chain runs through them, the secrets wait for no one
            await asyncio.sleep(0)
            self.checks.expect(profiles)
            if self.history is every_history:  # beside the Lists, not a round after them
                self.revisions.start(self.parent, profiles)
        except BaseException:
            reading.cancel()
            raise
        await reading
        if self.checks.projects_named:  # a setting naming its project by number (`respell`)
            named = self.state.named_projects(profiles)
            self.tasks.once(("name_settings", None), partial(self.access.name_settings, named))
        await self.checks.resolve(profiles)
        if self.checks.projects_named:
            where = (self.project, self.region)
            # the older revisions read for `since` are in now: the numbers it needs told
            await self.access.name_settings(self.state.traced_projects(profiles, where))
            self.state.respell(profiles, where, self.access.unmatched)
        return self.state

    # -- workloads and revisions ------------------------------------------------------------

    async def _read_kind(self, profiles: list[ServiceProfile]) -> None:
        """The profiled workloads of one kind, read as `by_kind` and `get_instead` say: the
        workloads a failed List's pages did not bring (and no Get replaced) are unverified,
        naming the List and its status; those a List read to the end did not bring are
        asked for with their Get (NOT_FOUND: missing). A lone workload a List made before
        the read (`_listed`: `init --service`'s, beside it) did not bring is asked for with its
        Get however that List failed, as with no List."""
        kind = profiles[0].kind
        if not one_list(profiles) and not self._listed(kind):
            await self._get_then_describe(profiles[0])
            return
        listing = await self._listing(kind)
        found = {p.name: listing.items[p.name] for p in profiles if p.name in listing.items}
        rest = [p for p in profiles if p.name not in found]
        failure = listing.error
        if failure is None:
            # A list read to the end proves nothing of what it did not bring: AIP-158
            # (google.aip.dev/158) promises no consistency across pages while the collection
            # changes (one deleted while drift lists moves the next across a page boundary):
            # each profiled one it did not bring is asked for with its Get, and only that
            # Get's NOT_FOUND makes it missing (`_get`). None when it brought them all.
            self.state.listed |= {workload_key(kind, n) for n in listing.items}
        elif not get_instead(listing) and one_list(profiles):
            for p in rest:
                self.unverified(p, kind.value, failure.reason)
            rest = []
        await asyncio.gather(
            *(self._settle_then_describe(p, found[p.name]) for p in profiles if p.name in found),
            *(self._get_then_describe(p) for p in rest),
        )

    async def _listing(self, kind: Kind) -> Listing:
        """The region's workloads of `kind`, listed once a run whoever asks (a List that was
        refused is not asked again)."""
        return await self.tasks.once(
            ("list", kind),
            partial(self._once, ("list", kind), partial(self._list, kind)),
        )

    def _listed(self, kind: Kind) -> bool:
        """The region's workloads of `kind` were listed before the read (`Session.list_workloads`,
        `init --from-live`): a lone one is found there, not asked for with its Get."""
        return self.shared is not None and shared_key(self.parent, ("list", kind)) in self.shared

    async def _list(self, kind: Kind) -> Listing:
        return await list_kind(self.clients, self.runner, self.parent, kind)

    async def _once(self, key: tuple[str, Any], make: Callable[[], Awaitable[T]]) -> T:
        """A call's answer, shared with the other read of the run when there is one."""
        if self.shared is None:
            return await make()
        return await self.shared.once(shared_key(self.parent, key), make)

    def _list_kinds(self) -> None:
        """Beside a workload that does not exist: the region's services, jobs and worker pools
        (each kind listed once a run, at once, whoever asks: a List read for the workloads, or
        refused, is not asked again), for "did you mean" and for a job or a pool profiled
        under the wrong kind (best effort: a list that fails says nothing). `resolve` waits
        for it, as for every read started."""
        self.tasks.once(("list_kinds", None), self._listed_kinds)

    async def _listed_kinds(self) -> None:
        kinds = list(Kind)
        listings = await asyncio.gather(*(self._listing(k) for k in kinds))
        for kind, listing in zip(kinds, listings, strict=True):
            if listing.error is None:
                self.state.listed |= {workload_key(kind, n) for n in listing.items}

    async def _get_then_describe(self, profile: ServiceProfile) -> None:
        found = await self._get(profile)
        if found is not None:
            await self._settle_then_describe(profile, found)

    async def _get(self, profile: ServiceProfile) -> Any | None:
        name = f"{self.parent}/{profile.kind.collection}/{profile.name}"
        try:
            get = partial(get_workload, self.clients, self.runner, profile.kind, name)
            return await self._once(("get", name), get)
        except ApiError as exc:
            if exc.status == "NOT_FOUND":
                self.state.missing.add(profile.key)
                self._list_kinds()
            else:
                self.unverified(profile, profile.kind.value, exc.reason)
            return None

    def unverified(self, profile: ServiceProfile, target: str, reason: str) -> None:
        self.state.unverified.append(Unverified(profile.name, target, reason, profile.kind))

    async def _settle_then_describe(self, profile: ServiceProfile, svc: Any) -> None:
        """A workload being reconciled holds transient values (Service.reconciling: "While
        reconciliation is in process, observed_generation, latest_ready_revision,
        traffic_statuses, and uri will have transient values"; WorkerPool.reconciling and
        Job.reconciling say the same of theirs): wait for it to settle, up to --wait from when
        it was seen reconciling (a slow List or Get before it eats none of the wait); if it
        has not, its items are unverified, never drift."""
        pause = POLL_FIRST
        deadline = time.monotonic() + self.wait
        if raw(svc).reconciling:
            self.revisions.reconciling(raw(svc).name)
        while raw(svc).reconciling:
            left = deadline - time.monotonic()
            if left <= 0:
                latest = await read_rolling(self.tasks, self._get_revision, svc)
                doing = in_progress(raw(svc), job=profile.kind is Kind.JOB, latest=latest)
                self.state.settling[profile.key] = doing
                self.unverified(
                    profile,
                    profile.kind.value,
                    f"{doing}; run again when it has settled (waited {self.wait:g}s, --wait)",
                )
                return
            self.checks.waiting()
            if pause >= left:  # the last poll: what it may be rolling out is read beside it
                read_rolling(self.tasks, self._get_revision, svc)
            await asyncio.sleep(min(pause, left))
            pause = min(pause * 2, POLL_MAX)
            try:
                svc = await get_workload(self.clients, self.runner, profile.kind, raw(svc).name)
            except ApiError as exc:
                self.unverified(profile, profile.kind.value, exc.reason)
                return
        self.state.answered[profile.key] = time.monotonic()  # drift.live.held_still
        await self.turns.take()  # a List's workloads: one a turn, answers taken between them
        if profile.kind is Kind.JOB:
            await self._describe_job(profile, svc)
        else:
            await self._describe(profile, svc)

    async def _describe_job(self, profile: ServiceProfile, job: Any) -> None:
        """A job's template (what its next execution runs) and how its latest execution
        ended."""
        # the secrets its template references are read while its latest execution is
        # (`described` finds them started): that feeds only `job.failed` (helper-633 F5)
        config = template_config(raw(job), container=profile.container, kind=Kind.JOB)
        self.checks.template(profile.key, config)
        try:
            latest = partial(latest_execution, self.clients, self.runner, job)
            execution = await self._once(("execution", raw(job).name), latest)
        except ApiError as exc:
            execution = None
            self.unverified(profile, "job.failed", exc.reason)
        live = job_service(profile.name, job, profile.container, execution=execution)
        remember_plain_secrets(profile, live)
        self.state.services[profile.key] = live
        self.checks.described(profile, live)

    async def _describe(self, profile: ServiceProfile, svc: Any) -> None:
        """Find the revisions a user can reach (a worker pool's: those its instances run);
        fetch a revision only when the template does not already describe it."""
        pb = raw(svc)  # plain protobuf reads: proto-plus costs more CPU than the rest here
        kind = profile.kind
        pool = kind is Kind.WORKER_POOL
        template = revision_config(pb.template, service=pb, container=profile.container, kind=kind)
        statuses = pb.instance_split_statuses if pool else pb.traffic_statuses
        split = reachable(pb, profile, statuses)
        current = short(pb.latest_created_revision)
        fetched = to_fetch(pb, split)
        if any(name not in fetched for name, *_ in split):  # the template is a reached one:
            self.checks.template(profile.key, template)  # its secrets need no GetRevision
        revisions = dict(
            zip(
                fetched,
                await asyncio.gather(*(self._revision(profile, pb, n) for n in fetched)),
                strict=True,
            )
        )
        reached: list[ServingRevision] = []
        for name, percent, tags, urls in split:
            # a service's revision reached only through a tag: no service-level bounds
            under = outside_split(pb) if percent <= 0 and kind is Kind.SERVICE else pb
            if name not in revisions:
                config = template
                if under is not pb:
                    config = revision_config(
                        pb.template, service=under, container=profile.container, kind=kind
                    )
                reached.append(ServingRevision(name, percent, tags, urls, config))
            elif (revision := revisions[name]) is not None:
                config = revision_config(
                    revision, service=under, container=profile.container, kind=kind
                )
                reached.append(ServingRevision(name, percent, tags, urls, config, source=revision))
        unread = tuple(
            (name, percent)
            for name, percent, *_ in split
            if percent > 0 and name in revisions and revisions[name] is None
        )
        created_ready = pb.latest_created_revision == pb.latest_ready_revision
        self.state.services[profile.key] = LiveService(
            name=profile.name,
            full_name=pb.name,
            uri="" if pool else pb.uri,
            etag=pb.etag,
            template=template,
            serving=tuple(r for r in reached if r.percent > 0),
            tagged=tuple(r for r in reached if r.percent <= 0),
            latest_created=current,
            latest_ready=short(pb.latest_ready_revision),
            latest_created_ready=created_ready,
            latest_created_message="" if created_ready else not_ready_message(pb),
            reconciling=bool(pb.reconciling),
            routes_latest=any(
                enum_name(t, "type_").endswith("LATEST") and t.percent > 0
                for t in (pb.instance_splits if pool else pb.traffic)
            ),
            canaries=tuple(
                canaries(profile.name, statuses, current, short(pb.latest_ready_revision))
            ),
            tags=tuple(dict.fromkeys(t for s in statuses if (t := getattr(s, "tag", "")))),
            unread=unread,
            source=svc,
            kind=kind,
        )
        live = self.state.services[profile.key]
        remember_plain_secrets(profile, live)
        self.checks.described(profile, live)
        # a pin beside drift's canary: whose it is, and how old the canary is, are read from
        # the revisions whatever the history setting (`drift.live.trap.own_pin`)
        held = not pool and bool(live.canaries) and not live.routes_latest
        if held or (self.history is not None and self.history(profile, live)):
            self.tasks.once(("history", profile.key), partial(self._history, profile, svc))

    async def _history(self, profile: ServiceProfile, svc: Any) -> None:
        try:
            # listed once a run: two profiles of one location share it (`compare --live`),
            # whatever container each says its `env` describes (helper-594 F4)
            listed = await self.revisions.listed(svc)
            records = revision_list.Revisions(
                revision_list.records_of(listed, svc, profile.container, profile.kind)
            )
        except ApiError as exc:  # a later page failing drops it all: no partial `since`
            log.debug(
                "%s: no revision history (%s): findings get no `since`", profile.label, exc.brief
            )
            self.state.history_unread[profile.key] = exc.brief
            return
        # an older revision's reference tells which plain value is a secret pasted in
        remember_history(self.state.services.get(profile.key), records)
        self.state.history[profile.key] = records

    async def _get_revision(self, full: str) -> Any:
        """A revision by its full name (GetRevision), asked for once a run whoever asks."""
        return await self._once(
            ("revision", full), partial(get_revision, self.clients, self.runner, full)
        )

    async def _revision(self, profile: ServiceProfile, svc: Any, name: str) -> Any | None:
        try:
            return await self._get_revision(name if "/" in name else f"{svc.name}/revisions/{name}")
        except ApiError as exc:
            # the service's read named it: gone since (a deploy moved the traffic, then it was
            # deleted; helper-650 F4), which a run again tells
            again = "; the service named it when read: it changed while drift read, run again"
            gone = again if exc.status == "NOT_FOUND" else ""
            self.unverified(profile, f"revision.{short(name)}", exc.reason + gone)
            return None
