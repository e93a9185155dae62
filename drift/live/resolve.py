"""What the secret references of the workloads being checked resolve to, whoever described
those workloads (the live reader, or the manifests a pipeline is about to deploy): each
referenced version's state, each secret's policy and lifecycle (`SecretReads`), the values
that rules compare, and what IAM grants each runtime account (`AccessDecisions`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator

from drift.live.access import AccessDecisions
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.model import EnvVar, LiveState
from drift.live.secrets import SecretReads, Tasks
from drift.profiles.model import ContainerRules, ServiceProfile
from drift.refs import SecretRef


class SecretChecks:
    """`expect` as early as possible (what the profile names can be read before the workloads
    are), `resolve` once `state.services` describes them."""

    def __init__(
        self,
        clients: Clients,
        runner: CallRunner,
        project: str,
        state: LiveState,
        tasks: Tasks | None = None,
    ) -> None:
        self.state = state
        self.tasks = tasks or Tasks()
        self.secrets = SecretReads(clients, runner, project, state, self.tasks)
        self.access = AccessDecisions(clients, runner, project, state, self.tasks)

    def expect(self, profiles: Iterable[ServiceProfile]) -> None:
        """Start what depends on no workload: the secret list and the secrets the profile
        expects (usually the ones the workloads reference)."""
        self.secrets.start()
        for p in profiles:
            for ref in expected_refs(p):
                self.secrets.watch(ref, p.key)

    async def resolve(self, profiles: list[ServiceProfile]) -> None:
        """Then what the workloads tell: the secrets they really reference, wherever (any
        container's env, secret volumes), the values rules need, and access."""
        state = self.state
        for svc in state.services.values():
            for rev in svc.checked:
                for _, _, ref in rev.config.secret_refs():
                    self.secrets.watch(ref, svc.key)
        for ref in values_needed(state, profiles):
            self.secrets.read_value(ref)
        await self.tasks.wait()
        self.secrets.report_failures()
        live_refs = [
            ref
            for svc in state.services.values()
            for rev in svc.checked
            for _, _, ref in rev.config.secret_refs()
        ]
        expected = {p.key: list(expected_refs(p)) for p in profiles}
        await asyncio.gather(
            self.access.name_projects(
                [*live_refs, *(r for refs in expected.values() for r in refs)]
            ),
            self.access.decide(state.services.values(), expected),
        )


def values_needed(state: LiveState, profiles: list[ServiceProfile]) -> set[SecretRef]:
    """Secret references whose value some rule must compare (never for display)."""
    needed: set[SecretRef] = set()
    for p in profiles:
        for rules in p.containers:
            for rule in rules.env.values():
                mine = _vars(state, p.key, rules.name, rule.name)
                mine_refs = {v.ref for v in mine if v.ref is not None}
                if rule.pattern or rule.not_values or rule.one_of or rule.min_length is not None:
                    needed |= mine_refs
                if rule.same_as is None or not mine:
                    continue
                theirs = _vars(state, rule.same_as[0], None, rule.same_as[1])
                theirs_refs = {v.ref for v in theirs if v.ref is not None}
                if not theirs:
                    continue  # nothing to compare with: the other side reports it missing
                if len(mine) == len(theirs) == 1 and mine_refs and mine_refs == theirs_refs:
                    continue  # the very same secret version: equal without reading it
                needed |= mine_refs | theirs_refs
    return needed


def _vars(state: LiveState, key: str, container: str | None, var: str) -> set[EnvVar]:
    svc = state.services.get(key)
    if svc is None:
        return set()
    found = set()
    for rev in svc.checked:
        env = rev.config.env if container is None else rev.config.named(container).env
        if (value := env.get(var)) is not None:
            found.add(value)
    return found


def expected_refs(profile: ServiceProfile) -> Iterator[SecretRef]:
    """Every secret reference the profile expects, in any container's env or mounts."""
    for rules in profile.containers:
        yield from _rule_refs(rules)


def _rule_refs(rules: ContainerRules) -> Iterator[SecretRef]:
    for rule in rules.env.values():
        if rule.ref is not None:
            yield rule.ref
    for mount in rules.mounts.values():
        yield mount.ref
