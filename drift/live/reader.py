"""Read live state concurrently: the profiled services, the revisions that really serve
traffic, and the secret versions, IAM policies and (only when a rule needs them) values they
reference. Each distinct item is asked for once; a failed read becomes an `Unverified`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from drift import redact
from drift.live.calls import CallFailure, CallRunner
from drift.live.clients import Clients
from drift.live.crc32c import crc32c
from drift.live.model import (
    EnvVar,
    LiveService,
    RevisionConfig,
    SecretPolicy,
    SecretRef,
    SecretVersionInfo,
    ServingRevision,
    VersionState,
)
from drift.live.normalize import enum_name, raw, revision_config
from drift.profiles.model import Profile, ServiceProfile
from drift.report import Unverified

T = TypeVar("T")
ACCESSOR_ROLES = frozenset(
    {"roles/secretmanager.secretAccessor", "roles/secretmanager.admin", "roles/owner"}
)
LIST_PAGE_SIZE = 500


@dataclass(repr=False)
class LiveState:
    """Everything read for one check. `values` live in memory only and are never shown."""

    services: dict[str, LiveService] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    versions: dict[SecretRef, SecretVersionInfo] = field(default_factory=dict)
    policies: dict[str, SecretPolicy] = field(default_factory=dict)
    values: dict[SecretRef, str] = field(default_factory=dict)
    unverified: list[Unverified] = field(default_factory=list)
    raw_services: dict[str, Any] = field(default_factory=dict)

    def secret_unverified(self, secret: str) -> bool:
        return any(u.target == f"secret.{secret}" for u in self.unverified)

    def __repr__(self) -> str:
        # Sizes only: a repr never shows a value, and stays cheap (asyncio.run in Python 3.11
        # formats the repr of its task's result when it restores the SIGINT handler).
        return (
            f"LiveState(services={len(self.services)}, missing={len(self.missing)}, "
            f"versions={len(self.versions)}, policies={len(self.policies)}, "
            f"values={len(self.values)}, unverified={len(self.unverified)})"
        )


class Reader:
    def __init__(self, clients: Clients, runner: CallRunner, project: str, region: str) -> None:
        self.clients = clients
        self.runner = runner
        self.project = project
        self.region = region
        self.state = LiveState()
        self._tasks: dict[tuple[str, Any], asyncio.Task[Any]] = {}
        self._listed_secrets: set[str] | None = None
        self._ref_users: dict[str, set[str]] = {}
        self._secret_failures: dict[str, CallFailure] = {}
        # Answers that only mean "missing" if the version lookups agree (checked at the end)
        self._policy_not_found: dict[str, CallFailure] = {}
        self._access_refused: dict[SecretRef, CallFailure] = {}

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"

    def _once(self, key: tuple[str, Any], make: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
        """One task per distinct item: the same secret version is never asked for twice."""
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(make())
            self._tasks[key] = task
        return task

    async def read(self, profile: Profile, names: Iterable[str]) -> LiveState:
        profiles = [profile.services[n] for n in names]
        # Start at once what does not depend on the services: the secret list and the
        # secrets the profile expects (usually the ones the services reference).
        self._once(("list_secrets", None), self._list_secrets)
        for p in profiles:
            for r in p.env.values():
                if r.secret is not None:
                    self._watch_secret(SecretRef(r.secret, r.version), p.name)
        await self._read_services(profiles)
        # Then what the services tell: the secrets they really reference, and the values that
        # rules need (neither waits for the secret list).
        for svc in self.state.services.values():
            for rev in svc.serving:
                for var in rev.config.env.values():
                    if var.ref is not None:
                        self._watch_secret(var.ref, svc.name)
        for ref in self._values_needed(profiles):
            self._once(("access", ref), partial(self._access, ref))
        await asyncio.gather(*self._tasks.values())
        self._report_secret_failures()
        return self.state

    # -- services and revisions -------------------------------------------------------------

    async def _read_services(self, profiles: list[ServiceProfile]) -> None:
        wanted = {p.name: p for p in profiles}
        found: dict[str, Any] | None = None
        if len(wanted) > 1:
            try:
                found = await self._list_services()
            except CallFailure:
                found = None  # e.g. no run.services.list: fall back to one get per service
        if found is None:
            results = await asyncio.gather(*(self._get_service(n) for n in wanted))
            found = {n: s for n, s in zip(wanted, results, strict=True) if s is not None}
        else:
            for name in wanted:
                if name not in found:
                    self.state.missing.add(name)
        await asyncio.gather(*(self._describe(wanted[n], found[n]) for n in wanted if n in found))

    async def _list_services(self) -> dict[str, Any]:
        return await list_services(self.clients, self.runner, self.parent)

    async def _get_service(self, name: str) -> Any | None:
        full = f"{self.parent}/services/{name}"
        try:
            return await self.runner.call(
                "run",
                "GetService",
                full,
                lambda t: self.clients.services.get_service(name=full, retry=None, timeout=t),
            )
        except CallFailure as exc:
            if exc.status == "NOT_FOUND":
                self.state.missing.add(name)
            else:
                self.state.unverified.append(Unverified(name, "service", exc.reason))
            return None

    async def _describe(self, profile: ServiceProfile, svc: Any) -> None:
        """Find the revisions serving traffic; fetch a revision only when the template does
        not already describe it."""
        self.state.raw_services[profile.name] = svc
        pb = raw(svc)  # plain protobuf reads: proto-plus costs more CPU than the rest here
        ingress = enum_name(pb, "ingress")
        template = revision_config(pb.template, ingress=ingress, container=profile.container)
        split = _serving_split(pb)
        described = (
            len(split) == 1
            and split[0][0]
            == _short(pb.latest_ready_revision)
            == _short(pb.latest_created_revision)
            and pb.observed_generation == pb.generation
            and not pb.reconciling
        )
        serving: list[ServingRevision] = []
        if described:
            name, percent, tags, urls = split[0]
            serving.append(ServingRevision(name, percent, tags, urls, template))
        else:
            configs = await asyncio.gather(
                *(self._revision_config(profile, pb, ingress, name) for name, *_ in split)
            )
            for (name, percent, tags, urls), config in zip(split, configs, strict=True):
                if config is not None:
                    serving.append(ServingRevision(name, percent, tags, urls, config))
        created_ready = pb.latest_created_revision == pb.latest_ready_revision
        self.state.services[profile.name] = LiveService(
            name=profile.name,
            full_name=pb.name,
            uri=pb.uri,
            etag=pb.etag,
            template=template,
            serving=tuple(serving),
            latest_created=_short(pb.latest_created_revision),
            latest_ready=_short(pb.latest_ready_revision),
            latest_created_ready=created_ready,
            latest_created_message="" if created_ready else _not_ready_message(pb),
            reconciling=bool(pb.reconciling),
        )

    async def _revision_config(
        self, profile: ServiceProfile, svc: Any, ingress: str, name: str
    ) -> RevisionConfig | None:
        full = name if "/" in name else f"{svc.name}/revisions/{name}"
        try:
            revision = await self.runner.call(
                "run",
                "GetRevision",
                full,
                lambda t: self.clients.revisions.get_revision(name=full, retry=None, timeout=t),
            )
        except CallFailure as exc:
            self.state.unverified.append(
                Unverified(profile.name, f"revision.{_short(name)}", exc.reason)
            )
            return None
        return revision_config(revision, ingress=ingress, container=profile.container)

    # -- secrets ------------------------------------------------------------------------------

    def _watch_secret(self, ref: SecretRef, service: str) -> None:
        self._ref_users.setdefault(ref.secret, set()).add(service)
        self._once(("version", ref), lambda: self._version(ref))
        self._once(("policy", ref.secret), lambda: self._policy(ref.secret))

    def _secret_name(self, secret: str) -> str:
        return f"projects/{self.project}/secrets/{secret}"

    def _unverified_secret(self, secret: str, exc: CallFailure) -> None:
        """Remember the failure; every service using the secret is named once all are known."""
        self._secret_failures.setdefault(secret, exc)

    def _report_secret_failures(self) -> None:
        # A version that reads as ENABLED but whose value the server would not give, or a
        # secret whose versions exist but whose policy is "not found", was not verified: the
        # rules that needed the value or the policy were not checked (never report clean).
        for ref, exc in self._access_refused.items():
            info = self.state.versions.get(ref)
            if info is not None and info.state is VersionState.ENABLED:
                self._unverified_secret(ref.secret, exc)
        for secret, exc in self._policy_not_found.items():
            states = {i.state for r, i in self.state.versions.items() if r.secret == secret}
            if VersionState.SECRET_MISSING not in states:
                self._unverified_secret(secret, exc)
        for secret, exc in sorted(self._secret_failures.items()):
            for service in sorted(self._ref_users.get(secret, ())) or ["-"]:
                self.state.unverified.append(Unverified(service, f"secret.{secret}", exc.reason))

    async def _list_secrets(self) -> None:
        from google.cloud import secretmanager_v1

        parent = f"projects/{self.project}"
        names: set[str] = set()
        token = ""
        try:
            while True:
                request = secretmanager_v1.ListSecretsRequest(
                    parent=parent, page_size=25000, page_token=token
                )
                page = await self.runner.call(
                    "secrets",
                    "ListSecrets",
                    parent,
                    _attempt(self.clients.secrets.list_secrets, request=request),
                )
                response = page._response
                names.update(s.name.rsplit("/", 1)[-1] for s in response.secrets)
                token = response.next_page_token
                if not token:
                    break
        except CallFailure:
            return  # existence is then told by the version lookups themselves
        self._listed_secrets = names

    async def _version(self, ref: SecretRef) -> None:
        name = f"{self._secret_name(ref.secret)}/versions/{ref.version}"
        try:
            version = await self.runner.call(
                "secrets",
                "GetSecretVersion",
                name,
                lambda t: self.clients.secrets.get_secret_version(name=name, retry=None, timeout=t),
            )
        except CallFailure as exc:
            if exc.status == "NOT_FOUND":
                await self._once(("list_secrets", None), self._list_secrets)
                listed = self._listed_secrets
                if listed is not None:
                    gone = ref.secret not in listed
                else:
                    gone = "Secret Version" not in exc.message
                state = VersionState.SECRET_MISSING if gone else VersionState.MISSING
                self.state.versions[ref] = SecretVersionInfo(ref, state)
            else:
                self._unverified_secret(ref.secret, exc)
            return
        state_name = getattr(version.state, "name", str(version.state))
        state = {
            "ENABLED": VersionState.ENABLED,
            "DISABLED": VersionState.DISABLED,
            "DESTROYED": VersionState.DESTROYED,
        }.get(state_name, VersionState.DISABLED)
        resolved = version.name.rsplit("/", 1)[-1]
        self.state.versions[ref] = SecretVersionInfo(ref, state, resolved)

    async def _policy(self, secret: str) -> None:
        from google.iam.v1 import iam_policy_pb2

        resource = self._secret_name(secret)
        await self._once(("list_secrets", None), self._list_secrets)
        if self._listed_secrets is not None and secret not in self._listed_secrets:
            return  # no such secret: nothing to ask
        try:
            policy = await self.runner.call(
                "secrets",
                "GetIamPolicy",
                resource,
                lambda t: self.clients.secrets.get_iam_policy(
                    request=iam_policy_pb2.GetIamPolicyRequest(resource=resource),
                    retry=None,
                    timeout=t,
                ),
            )
        except CallFailure as exc:
            if exc.status == "NOT_FOUND":
                self._policy_not_found[secret] = exc  # fine if the secret is missing
            else:
                self._unverified_secret(secret, exc)
            return
        members = frozenset(
            m for b in policy.bindings if b.role in ACCESSOR_ROLES for m in b.members
        )
        self.state.policies[secret] = SecretPolicy(secret, members)

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

    async def _access(self, ref: SecretRef) -> None:
        name = f"{self._secret_name(ref.secret)}/versions/{ref.version}"
        try:
            data = await access_secret(self.clients, self.runner, name)
        except CallFailure as exc:
            if exc.status in ("NOT_FOUND", "FAILED_PRECONDITION"):
                self._access_refused[ref] = exc  # fine if its state says missing or disabled
            else:
                self._unverified_secret(ref.secret, exc)
            return
        value = data.decode("utf-8", errors="replace")
        redact.register(value)
        self.state.values[ref] = value


async def list_services(clients: Clients, runner: CallRunner, parent: str) -> dict[str, Any]:
    """Every service under `parent` (a location), by short name; one call per page."""
    from google.cloud import run_v2

    services: dict[str, Any] = {}
    token = ""
    while True:
        request = run_v2.ListServicesRequest(
            parent=parent, page_size=LIST_PAGE_SIZE, page_token=token
        )
        page = await runner.call(
            "run", "ListServices", parent, _attempt(clients.services.list_services, request=request)
        )
        response = page._response  # one page per call: we follow the tokens ourselves
        for svc in response.services:
            services[svc.name.rsplit("/", 1)[-1]] = svc
        token = response.next_page_token
        if not token:
            return services


async def access_secret(clients: Clients, runner: CallRunner, name: str) -> bytes:
    """A secret version's payload, its CRC32C verified (DATA_LOSS when it does not match).
    The caller keeps it in memory only."""
    response = await runner.call(
        "access",
        "AccessSecretVersion",
        name,
        _attempt(clients.secrets.access_secret_version, name=name),
    )
    data = bytes(response.payload.data)
    checksum = response.payload.data_crc32c
    if checksum and crc32c(data) != checksum:
        raise CallFailure("AccessSecretVersion", name, "DATA_LOSS", "payload crc32c mismatch")
    return data


def _attempt(method: Callable[..., Awaitable[Any]], **request: Any) -> Callable[[float], Any]:
    """One attempt of a client method for the runner (which retries: the client must not)."""
    return lambda timeout: method(retry=None, timeout=timeout, **request)


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


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
        name = _short(revision)
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
