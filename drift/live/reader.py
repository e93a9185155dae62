"""Read live state concurrently: the profiled services and the revisions that really serve
traffic, then (through `SecretReads`) what their secret references resolve to. Each distinct
item is asked for once; a failed read becomes an `Unverified`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from drift.errors import ApiError
from drift.fields import enum_name
from drift.findings import Unverified
from drift.live.api import get_service, list_services, short
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.model import EnvVar, LiveService, LiveState, SecretRef, ServingRevision
from drift.live.normalize import raw, revision_config
from drift.live.secrets import SecretReads, Tasks
from drift.profiles.model import Profile, ServiceProfile


class Reader:
    def __init__(self, clients: Clients, runner: CallRunner, project: str, region: str) -> None:
        self.clients = clients
        self.runner = runner
        self.project = project
        self.region = region
        self.state = LiveState()
        self.tasks = Tasks()
        self.secrets = SecretReads(clients, runner, project, self.state, self.tasks)

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"

    async def read(self, profile: Profile, names: Iterable[str]) -> LiveState:
        profiles = [profile.services[n] for n in names]
        # Start at once what does not depend on the services: the secret list and the
        # secrets the profile expects (usually the ones the services reference).
        self.secrets.start()
        for p in profiles:
            for r in p.env.values():
                if r.secret is not None:
                    self.secrets.watch(SecretRef(r.secret, r.version), p.name)
        await self._read_services(profiles)
        # Then what the services tell: the secrets they really reference, and the values that
        # rules need (neither waits for the secret list).
        for svc in self.state.services.values():
            for rev in svc.serving:
                for var in rev.config.env.values():
                    if var.ref is not None:
                        self.secrets.watch(var.ref, svc.name)
        for ref in self._values_needed(profiles):
            self.secrets.read_value(ref)
        await self.tasks.wait()
        self.secrets.report_failures()
        return self.state

    # -- services and revisions -------------------------------------------------------------

    async def _read_services(self, profiles: list[ServiceProfile]) -> None:
        wanted = {p.name: p for p in profiles}
        found: dict[str, Any] | None = None
        if len(wanted) > 1:
            try:
                found = await list_services(self.clients, self.runner, self.parent)
            except ApiError:
                found = None  # e.g. no run.services.list: fall back to one get per service
        if found is None:
            results = await asyncio.gather(*(self._get_service(n) for n in wanted))
            found = {n: s for n, s in zip(wanted, results, strict=True) if s is not None}
            if self.state.missing:
                await self._list_names()
        else:
            self.state.listed = set(found)
            for name in wanted:
                if name not in found:
                    self.state.missing.add(name)
        await asyncio.gather(*(self._describe(wanted[n], found[n]) for n in wanted if n in found))

    async def _list_names(self) -> None:
        """The region's services, for "did you mean" beside a missing one (best effort)."""
        try:
            self.state.listed = set(await list_services(self.clients, self.runner, self.parent))
        except ApiError:
            return

    async def _get_service(self, name: str) -> Any | None:
        try:
            return await get_service(self.clients, self.runner, f"{self.parent}/services/{name}")
        except ApiError as exc:
            if exc.status == "NOT_FOUND":
                self.state.missing.add(name)
            else:
                self.state.unverified.append(Unverified(name, "service", exc.reason))
            return None

    async def _describe(self, profile: ServiceProfile, svc: Any) -> None:
        """Find the revisions serving traffic; fetch a revision only when the template does
        not already describe it."""
        pb = raw(svc)  # plain protobuf reads: proto-plus costs more CPU than the rest here
        template = revision_config(pb.template, service=pb, container=profile.container)
        split = _serving_split(pb)
        described = (
            len(split) == 1
            and split[0][0] == short(pb.latest_ready_revision) == short(pb.latest_created_revision)
            and pb.observed_generation == pb.generation
            and not pb.reconciling
        )
        serving: list[ServingRevision] = []
        if described:
            name, percent, tags, urls = split[0]
            serving.append(ServingRevision(name, percent, tags, urls, template))
        else:
            revisions = await asyncio.gather(
                *(self._revision(profile, pb, name) for name, *_ in split)
            )
            for (name, percent, tags, urls), revision in zip(split, revisions, strict=True):
                if revision is not None:
                    config = revision_config(revision, service=pb, container=profile.container)
                    serving.append(
                        ServingRevision(name, percent, tags, urls, config, source=revision)
                    )
        created_ready = pb.latest_created_revision == pb.latest_ready_revision
        self.state.services[profile.name] = LiveService(
            name=profile.name,
            full_name=pb.name,
            uri=pb.uri,
            etag=pb.etag,
            template=template,
            serving=tuple(serving),
            latest_created=short(pb.latest_created_revision),
            latest_ready=short(pb.latest_ready_revision),
            latest_created_ready=created_ready,
            latest_created_message="" if created_ready else _not_ready_message(pb),
            reconciling=bool(pb.reconciling),
            source=svc,
        )

    async def _revision(self, profile: ServiceProfile, svc: Any, name: str) -> Any | None:
        full = name if "/" in name else f"{svc.name}/revisions/{name}"
        try:
            revision = await self.runner.call(
                "run",
                "GetRevision",
                full,
                lambda t: self.clients.revisions.get_revision(name=full, retry=None, timeout=t),
            )
        except ApiError as exc:
            self.state.unverified.append(
                Unverified(profile.name, f"revision.{short(name)}", exc.reason)
            )
            return None
        return revision

    def _values_needed(self, profiles: list[ServiceProfile]) -> set[SecretRef]:
        """Secret references whose value some rule must compare (never for display)."""
        needed: set[SecretRef] = set()
        for p in profiles:
            for rule in p.env.values():
                mine = self._live_vars(p.name, rule.name)
                mine_refs = {v.ref for v in mine if v.ref is not None}
                if rule.pattern or rule.not_values or rule.one_of or rule.min_length is not None:
                    needed |= mine_refs
                if rule.same_as is None or not mine:
                    continue
                theirs = self._live_vars(*rule.same_as)
                theirs_refs = {v.ref for v in theirs if v.ref is not None}
                if not theirs:
                    continue  # nothing to compare with: the other side reports it missing
                if len(mine) == len(theirs) == 1 and mine_refs and mine_refs == theirs_refs:
                    continue  # the very same secret version: equal without reading it
                needed |= mine_refs | theirs_refs
        return needed

    def _live_vars(self, service: str, var: str) -> set[EnvVar]:
        svc = self.state.services.get(service)
        if svc is None:
            return set()
        return {v for rev in svc.serving if (v := rev.config.env.get(var)) is not None}


def _serving_split(svc: Any) -> list[tuple[str, int, tuple[str, ...], tuple[str, ...]]]:
    """(revision, percent, tags, tag urls) for every revision receiving traffic (`svc` is a
    raw protobuf Service)."""
    by_revision: dict[str, list[Any]] = {}
    percents: dict[str, int] = {}
    for status in svc.traffic_statuses:
        kind = enum_name(status, "type_")
        revision = status.revision or (svc.latest_ready_revision if kind.endswith("LATEST") else "")
        if not revision:
            continue
        name = short(revision)
        by_revision.setdefault(name, []).append(status)
        percents[name] = percents.get(name, 0) + int(status.percent)
    out = []
    for name, statuses in by_revision.items():
        if percents[name] <= 0:
            continue
        tags = tuple(s.tag for s in statuses if s.tag)
        urls = tuple(s.uri for s in statuses if s.tag and s.uri)
        out.append((name, percents[name], tags, urls))
    return sorted(out, key=lambda item: -item[1])


def _not_ready_message(svc: Any) -> str:
    for condition in (svc.terminal_condition, *svc.conditions):
        state = enum_name(condition, "state")
        if condition.message and state != "CONDITION_SUCCEEDED":
            return " ".join(condition.message.split())
    return "not ready"
