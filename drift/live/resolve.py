"""What the secret references of the workloads being checked resolve to, whoever described
those workloads (the live reader, or the manifests a pipeline is about to deploy): each
referenced version's state, each secret's policy and lifecycle (`SecretReads`), the values
that rules compare, and what IAM grants each runtime account (`AccessDecisions`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from functools import partial
from typing import Literal

from drift.fields import named_default, normalise_account
from drift.live.access import AccessDecisions
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.iam import IamReads
from drift.live.model import EnvVar, LiveService, RevisionConfig
from drift.live.reads import expected_refs, held, pasted, same_as_own, values_needed
from drift.live.secrets import SecretReads, Tasks
from drift.live.state import LiveState
from drift.live.value_reads import ValueReads
from drift.profiles.model import ServiceProfile
from drift.refs import SecretRef

Secrets = Literal["read", "projects", "none"]
"""What a read learns of the secrets the workloads reference: their state, policy, values and
access (`read`); only the ids of the projects references name, so that two forms of one
project compare equal (`projects`: `compare`, which shows none of the rest); nothing
(`none`: `probe`, which compares nothing)."""


class SecretChecks:
    """`expect` as early as possible (what the profile names can be read before the workloads
    are), `resolve` once `state.services` describes them."""

    def __init__(
        self,
        clients: Clients,
        runner: CallRunner,
        project: str,
        state: LiveState,
        *,
        secrets: Secrets = "read",
        shared: Tasks | None = None,
        compared: frozenset[str] = frozenset(),
        values: ValueReads | None = None,
    ) -> None:
        self.state = state
        self.values = values
        """Where the values of what each workload references are read as the versions
        resolve (`init --from-live`), None when none is read."""
        self.compared = compared
        """The keys of workloads read only for what a `same_as` of the others compares with:
        of theirs, only the values compared are read (never their secrets' states, policies,
        access, nor the values their own rules would need)."""
        self._checked: list[ServiceProfile] = []
        self.tasks = Tasks()
        self.secrets_read = secrets == "read"
        self.projects_named = secrets != "none"
        iam = IamReads(clients, runner, shared or self.tasks)
        self.access = AccessDecisions(project, state, self.tasks, iam)
        self.secrets = SecretReads(
            clients, runner, project, state, self.tasks, self.access.project_id, shared
        )
        self._waiting = False
        self._accounts: dict[SecretRef, set[str]] = {}
        """The accounts of the workloads described so far, per reference (`_prefetch`)."""
        self._described: list[tuple[ServiceProfile, LiveService]] = []
        self._watched: dict[str, object] = {}
        """What of each workload's has had its references watched (`_watch_all`): the
        template (`template`), then the workload described (`described`); none twice."""

    def expect(self, profiles: Iterable[ServiceProfile]) -> None:
        """Start what depends on no workload: the secret list and the secrets the profile
        expects (usually the ones the workloads reference), and the projects it names by id
        (`AccessDecisions.look_up`: `name_projects` then asks no number of theirs again)."""
        profiles = self._checked = [p for p in profiles if p.key not in self.compared]
        if self.secrets_read:
            self.secrets.start()
            for p in profiles:
                key = p.key
                for ref in expected_refs(p):
                    self._watch(ref, key)
        if self.projects_named:
            self.access.look_up(r for p in profiles for r in expected_refs(p))

    def _watch(self, ref: SecretRef, key: str) -> None:
        """`SecretReads.watch`, when it was first asked for noted (`LiveState.asked`)."""
        if ref not in self.state.asked:  # (most are, again: each workload's, read after)
            self.state.asked[ref] = time.monotonic()
        self.secrets.watch(ref, key)

    def described(self, profile: ServiceProfile, workload: LiveService) -> None:
        """Start at once what one workload's description tells — the secrets it references
        and the values its rules compare — rather than after every other workload has been
        read: one deploy in progress, waited for up to --wait, holds back no one else's reads.
        `resolve` then finds them started (each item is asked for once). The IAM reads its
        access needs start early too while a workload is being waited for (`waiting`)."""
        if not self.secrets_read:
            return
        key = workload.key
        if key in self.compared:  # the values the checked workloads compare with its own
            holds = {r for rev in workload.checked for _, _, r in rev.config.secret_refs()}
            for ref in values_needed(self._checked, self._live_vars):
                self.secrets.read_value(ref, key if ref in holds else None)
            return
        self._watch_all(workload, key)
        if self.values is not None:
            self.values.described(workload, self.tasks, self.state, self.access.iam)
        self._values([profile])
        if self._waiting:
            self._prefetch(profile, workload)
        else:
            self._described.append((profile, workload))

    def _values(self, profiles: list[ServiceProfile]) -> None:
        """Read the values the rules of `profiles` compare, and those a plain variable may
        hold pasted in (`pasted`, and a `same_as`'s own side when the other is the very same
        version, `same_as_own`: to know them, never required; `history` reads the same)."""
        for ref in values_needed(profiles, self._live_vars):
            self.secrets.read_value(ref)
        for ref in pasted(profiles, self._live_vars) | same_as_own(profiles, self._live_vars):
            self.secrets.read_pasted(ref)

    def template(self, key: str, config: RevisionConfig) -> None:
        """The workload of `key` serves (or tags) its template: its secret references are
        read at once, not after the other revisions' GetRevision (`described` finds them
        started)."""
        if self.secrets_read and key not in self.compared:
            for _, _, ref in config.secret_refs():
                self._watch(ref, key)
            self._watched[key] = config

    def waiting(self) -> None:
        """The IAM reads of the workloads described so far, and of those described from now
        on, start once their secrets' states and policies are in (`_prefetch`, one task per
        reference): not after a wait for a deploy in progress, nor, once `resolve` calls it,
        after another secret's reads or a history."""
        if self._waiting:
            return
        self._waiting = True
        for profile, workload in self._described:
            self._prefetch(profile, workload)
        self._described.clear()

    def _prefetch(self, profile: ServiceProfile, workload: LiveService) -> None:
        """Per reference: its IAM reads start once its own state and policy are in, for the
        accounts of every workload described by then (one task per reference, not per
        workload and reference: a thousand services of ten references each made ten
        thousand tasks, +200 ms of a check's CPU; those described after it ran are
        `decide`'s, each read asked for once either way)."""
        expected = list(expected_refs(profile))
        for rev in workload.checked:
            account = normalise_account(rev.config.service_account)
            for ref in (*(r for _, _, r in rev.config.secret_refs()), *expected):
                users = self._accounts.setdefault(ref, set())
                users.add(account)
                # a key of its own: `("access", ref)` is the value's read (`read_value`),
                # which then found this task and was never made (revsecret90 F1)
                if ("prefetch", ref) in self.tasks:
                    continue
                got = (self.tasks.get(("version", ref)), self.tasks.get(("policy", ref.key)))
                if reads := [task for task in got if task is not None]:
                    self.tasks.once(
                        ("prefetch", ref), partial(self.access.prefetch, users, ref, reads)
                    )

    async def resolve(self, profiles: list[ServiceProfile]) -> None:
        """Then what the workloads tell: the secrets they really reference, wherever (any
        container's env, secret volumes), the values rules need, and access."""
        profiles = [p for p in profiles if p.key not in self.compared]
        if not self.secrets_read:
            await self.tasks.wait()
            if self.projects_named:
                await self._name_projects(profiles)
            return
        services = self._services()
        for svc in services:
            self._watch_all(svc, svc.key)
        if self.values is not None:  # what the read reads of the references is known now
            self.values.unwatched(services, self.tasks)
        self._values(profiles)
        # the IAM reads each workload's access needs start once its own secrets' states and
        # policies are in, not after every read started (another secret, a history)
        self.waiting()
        await self.tasks.wait()
        self.secrets.report_failures()
        expected = {p.key: list(expected_refs(p)) for p in profiles}
        planned = {p.key: a for p in profiles if (a := planned_account(p))}
        await asyncio.gather(
            self._name_projects(profiles), self.access.decide(services, expected, planned)
        )

    def _watch_all(self, workload: LiveService, key: str) -> None:
        """`_watch` every reference of the workload's checked revisions, but those watched
        already: the same workload (`resolve` after `described`), the template (a checked
        revision it describes: the same configuration)."""
        if self._watched.get(key) is workload:
            return
        template = self._watched.get(key)
        for rev in workload.checked:
            if rev.config is not template:
                for _, _, ref in rev.config.secret_refs():
                    self._watch(ref, key)
        self._watched[key] = workload

    def _services(self) -> list[LiveService]:
        """The workloads described, but those read only for a comparison (`compared`)."""
        return [s for s in self.state.services.values() if s.key not in self.compared]

    async def _name_projects(self, profiles: list[ServiceProfile]) -> None:
        """The ids of the projects references name by number (and the workloads' own number
        where a default account is named), so that two forms of one project compare equal."""
        services = self._services()
        live = (
            r for svc in services for rev in svc.checked for _, _, r in rev.config.secret_refs()
        )
        refs = [*live, *(r for p in profiles for r in expected_refs(p))]
        await asyncio.gather(
            self.access.name_projects(refs),
            self.access.own_number(p.key for p in profiles if names_default_account(p)),
        )

    def _live_vars(self, service: str, container: str | None, var: str) -> set[EnvVar]:
        svc = self.state.services.get(service)
        if svc is None:
            return set()
        return held((rev.config for rev in svc.checked), container, var)


def names_default_account(profile: ServiceProfile) -> bool:
    """The profile names a default compute account (`NUMBER-compute@…`) as the runtime one."""
    stated = profile.settings.get("service_account")
    return stated is not None and named_default(str(stated.value))


def planned_account(profile: ServiceProfile) -> str:
    """The runtime account the profile names, by its address ("" when none): a fix would set
    it, so its access is decided too."""
    stated = profile.settings.get("service_account")
    return str(stated.value) if stated is not None else ""
