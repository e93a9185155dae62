"""Decide, for every (runtime service account, secret reference) a checked revision holds,
whether IAM lets the account access the secret: the secret's own policy first; only when it
does not grant outright, the policies of the project holding the secret and of its ancestors
(read once per project). A grant drift cannot evaluate is unverified, never `no_access`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Sequence
from functools import partial
from typing import Any

from drift.fields import (
    DEFAULT_ACCOUNT_SUFFIX,
    DEFAULT_SERVICE_ACCOUNT,
    default_account,
    normalise_account,
)
from drift.fields import account_project as project_named
from drift.findings import Unverified
from drift.live.iam import IamReads, ProjectInfo
from drift.live.iam_policy import PUBLIC, Grant, Policy, Verdict, verdict
from drift.live.model import LiveService
from drift.live.secret_state import VersionState
from drift.live.secrets import Tasks
from drift.live.state import LiveState
from drift.refs import SecretRef
from drift.secret_target import secret_target

_ASK = Verdict(Grant.UNKNOWN, "the project's and its ancestors' policies must be read")
"""Not decided by the secret's own policy (compared by identity)."""
DENY_NOTE = (
    "IAM deny policies are not read: a deny rule may still block access counted as granted "
    "(check: `gcloud iam policies list --kind=denypolicies "
    "--attachment-point=cloudresourcemanager.googleapis.com/projects/{project}`, and on its "
    "folders and organization, and those of any other project holding a secret)"
)
"""Deny policies "take precedence over allow policies" (cloud.google.com/iam/docs/deny-overview);
drift reads allow policies only, so a run that counts a grant says so, once, with how to list
them: `gcloud iam policies list --attachment-point=ATTACHMENT_POINT --kind=denypolicies`
(cloud.google.com/sdk/gcloud/reference/iam/policies/list); a deny policy attaches to a
project, folder or organization (cloud.google.com/iam/docs/deny-overview, Attachment point)."""
_OWN = Verdict(Grant.GRANTED, "the secret's own policy")
"""Granted outright by the secret's own policy (one verdict for every such pair)."""


class AccessDecisions:
    def __init__(self, project: str, state: LiveState, tasks: Tasks, iam: IamReads) -> None:
        self.project = project
        self.state = state
        self.tasks = tasks
        self.iam = iam
        """Its tasks may be another read's of the same run too (`compare --live`)."""
        self._early: list[asyncio.Task[Any]] = []

    def look_up(self, refs: Iterable[SecretRef]) -> None:
        """Start looking up the projects `refs` name by id, other than the workload's own
        (`name_projects` would, later): a reference by number may turn out to name one of
        them (`project_id`)."""
        for token in {r.project for r in refs if r.project and r.project != self.project}:
            if not token.isdigit():
                self._early.append(
                    self.tasks.once(("look_up", token), partial(self.iam.project, token))
                )

    async def project_id(self, number: str) -> str | None:
        """The id of the project of that number (None when it cannot be read): known from the
        projects looked up already, else with GetProject (which `name_projects` makes
        anyway)."""
        await asyncio.gather(*self._early)
        info = await self.iam.project(number)
        return info.project_id if info else None

    async def name_projects(self, refs: Iterable[SecretRef]) -> None:
        """Learn the id of every project references name by number (and the number of those
        named by id), so that `projects/600000000002/secrets/x` and `{secret: x, project:
        acme-shared}` compare equal. One GetProject per project, only when a reference names
        a project other than the service's own by its id."""
        tokens = {ref.project for ref in refs if ref.project and ref.project != self.project}
        if not tokens:
            return
        if any(t.isdigit() and self.iam.projects.get(t) is None for t in tokens):
            tokens.add(self.project)  # a number not known yet may be the workloads' own
        await asyncio.gather(*(self.iam.project(t) for t in tokens))
        self._learnt()

    async def name_settings(self, tokens: Iterable[str]) -> None:
        """Learn what the projects settings name (`drift.live.projects.named_projects`:
        a connector, a network, a CMEK key… by `projects/P/…`) are, where they and the
        workloads' own project are written both ways (some by number, some by id): GetProject
        on each number not known yet, its answer giving the id. Only where a number's could
        not be read, GetProject on each id not known yet: its number tells whether it is that
        number's project (`same_project`). Each project asked for once a run, by no second
        name when its first answered (`IamReads.project`)."""
        tokens = {*tokens, self.project}
        if len({t.isdigit() for t in tokens}) < 2:
            return  # two ids (two numbers) are two projects: nothing to match
        await asyncio.gather(*(self.iam.project(t) for t in sorted(tokens) if t.isdigit()))
        if any(self.iam.projects.get(t) is None for t in tokens if t.isdigit()):
            await asyncio.gather(*(self.iam.project(t) for t in sorted(tokens) if not t.isdigit()))
        self._learnt()

    def unmatched(self, tokens: Iterable[str]) -> str:
        """Why the projects `tokens` name could not be matched: their failed GetProject."""
        failures = [self.iam.failures[t] for t in dict.fromkeys(tokens) if t in self.iam.failures]
        return "; ".join(failures) or "GetProject was not made"

    def _learnt(self) -> None:
        """What GetProject answered, by each name of each project (`state.projects`)."""
        for token, info in self.iam.projects.items():
            if info is not None:
                self.state.projects[token] = info.project_id

    async def own_number(self, named: Iterable[str]) -> None:
        """The number of the workloads' project, when a profile names a default compute
        account (`named`: those workloads' keys) where a checked revision names none: "If not
        provided, the revision will use the project's default service account"
        (RevisionTemplate.service_account), PROJECT_NUMBER-compute@…, so only the number
        tells whether it is the one named (recorded in `state.projects`, as `name_projects`
        records what it looks up). Unknown, the setting is not verified, never the same."""
        keys = [k for k in named if _unnamed(self.state.services.get(k))]
        if not keys or self.project.isdigit():
            return
        if why := await self.own_project():
            self.state.unverified += unknown_defaults(self.state, keys, why)

    async def own_project(self) -> str:
        """Look up the workloads' project (its number and id recorded in `state.projects`,
        for `LiveState.number_of`); why it could not be, "" when it was."""
        info = await self.iam.project(self.project)
        if info is not None:
            self._own(info)
            return ""
        return self._own_unread()

    def _own_unread(self) -> str:
        """Why the workloads' project could not be looked up (its failed GetProject)."""
        return self.iam.failures.get(self.project, f"GetProject on projects/{self.project}")

    async def decide(
        self,
        services: Iterable[LiveService],
        expected: dict[str, list[SecretRef]],
        planned: dict[str, str] | None = None,
    ) -> None:
        """For every reference a checked revision holds, and every reference the profile
        expects (a fix would point the service at it), with the revision's account and with
        the account the profile names (`planned`, by workload key: a fix would set it), one
        evaluation for both (`LiveState.grant`); each policy is read once a run."""
        users: dict[tuple[str, SecretRef], set[str]] = {}
        for svc in services:
            key = svc.key
            wanted = expected.get(key, ())
            for rev in svc.checked:
                account = normalise_account(rev.config.service_account)
                refs = [r for _, _, r in rev.config.secret_refs()]
                for ref in refs:
                    users.setdefault((account, ref), set()).add(key)  # one hash of the pair
                for ref in wanted:
                    users.setdefault((account, ref), set())  # not in use: nothing unverified
                other = (planned or {}).get(key, "")
                for ref in (*refs, *wanted) if other and other != account else ():
                    users.setdefault((other, ref), set())  # the plan's: nothing unverified
        # Most answers are in the secret's own policy: decided at once, without a task each
        decided = {pair: self._known(*pair) for pair in users}
        pending = [pair for pair, found in decided.items() if found is _ASK]
        answers = await asyncio.gather(*(self._decide(a, r) for a, r in pending))
        decided.update(zip(pending, answers, strict=True))
        told: dict[Unverified, None] = {}  # two versions of a secret may tell the same
        granted = (decided[pair] for pair, used in users.items() if used)
        if any(v is not None and v.grant is Grant.GRANTED for v in granted):
            note = DENY_NOTE.format(project=self.project)
            if note not in self.state.notes:  # said once a run
                self.state.notes.append(note)
        for (account, ref), found in decided.items():
            assert found is not _ASK
            if found is None:
                continue
            # per reference, version included: a condition sees the version's name
            # (`resource.name`, `_names`), so each version has an answer of its own
            self.state.access[(account, ref)] = found
            if found.grant is Grant.UNKNOWN:
                for service in sorted(users[(account, ref)]):
                    why = f"{account}: {found.detail}"
                    target = secret_target(ref, self.state, self.project)
                    told.setdefault(Unverified.at(service, target, why))
        self.state.unverified += told

    async def prefetch(
        self, accounts: Iterable[str], ref: SecretRef, reads: Iterable[Awaitable[Any]]
    ) -> None:
        """Once `reads` (the state and policy of the secret `ref` names) are in, the IAM
        reads `decide` will need for the `accounts` using it (project numbers, the policies
        of the project holding the secret and of its ancestors), started early; `decide`
        finds them done (each is asked for once)."""
        await asyncio.gather(*reads)
        await asyncio.gather(
            *(self._decide(a, ref) for a in accounts if self._known(a, ref) is _ASK)
        )

    def _known(self, account: str, ref: SecretRef) -> Verdict | None:
        """The verdict when no further read is needed, else _ASK."""
        info = self.state.versions.get(ref)
        policy = self.state.policies.get(ref.key)
        if info is None or policy is None or info.state is VersionState.SECRET_MISSING:
            return None  # no such secret, or its policy was not read: reported elsewhere
        if _outright(policy.accessors, account):
            return _OWN
        return _ASK

    async def _decide(self, account: str, ref: SecretRef) -> Verdict | None:
        known = self._known(account, ref)
        if known is not _ASK:
            return known
        info = self.state.versions[ref]
        policy = self.state.policies[ref.key]
        member = await self._member(account)
        if member is None:  # the default account of a project whose number is unknown
            why = self._own_unread()
            return Verdict(Grant.UNKNOWN, f"the default service account is unknown: {why}")
        if member in policy.accessors:  # the default account, by its number: granted outright
            return _OWN
        project = ref.project or self.project
        number = await self._number(project)
        names = _names(ref, number, info.resolved)
        own = [policy.policy(ref.resource(self.project))]
        # IAM allow policies only add: a grant by the project's own policy holds whatever its
        # folders and organisation say, so they are read only when it does not grant. (Deny
        # policies, which could override it, are not modelled: README "IAM deny policies are
        # not read".)
        level = await self.iam.project_policy(project, number)
        self._consulted(ref, [level])
        account_project = await self._account_project(member, [*own, level])
        if level is not None:
            found = verdict(
                member, names, [*own, level], {}, self.state.now, number=account_project
            )
            if found.grant is Grant.GRANTED:
                return found
        hierarchy = await self.iam.hierarchy(project, number)
        self._consulted(ref, hierarchy.policies)
        return verdict(
            member,
            names,
            [*own, *hierarchy.policies],
            hierarchy.unreadable,
            self.state.now,
            hierarchy.project_unread,
            await self._account_project(member, [*own, *hierarchy.policies]),
        )

    def _consulted(self, ref: SecretRef, policies: Sequence[Policy | None]) -> None:
        """Note the policies above the secret's a verdict on `ref` reads, as read."""
        seen = self.state.consulted.setdefault(ref, {})
        for policy in policies:
            if policy is not None:
                seen.setdefault(policy.resource, policy)

    async def _account_project(self, member: str, policies: Sequence[Policy | None]) -> str:
        """The number of the project a service account belongs to, read only when a policy
        grants all of a project's service accounts ("" when unknown: that grant is then
        unverified). `NAME@PROJECT_ID.iam.gserviceaccount.com` names its project by id
        (GetProject, once a run); `NUMBER-compute@developer.gserviceaccount.com` by number
        (cloud.google.com/iam/docs/service-account-types)."""
        if not any(p is not None and p.names_project_accounts() for p in policies):
            return ""
        project = project_named(member)
        if project.isdigit() or not project:  # a default account's number, or none
            return project
        info = await self.iam.project(project)
        return info.number if info else ""

    async def _member(self, account: str) -> str | None:
        """The IAM member of an account (the default account by its project's number,
        `_number`; None when it is not known)."""
        if account != DEFAULT_SERVICE_ACCOUNT:
            return f"serviceAccount:{account}"
        number = await self._number(self.project)
        return f"serviceAccount:{default_account(number)}" if number else None

    async def _number(self, project: str) -> str:
        """The number of `project` (an id or a number; "" when it cannot be known): as a read
        of this run learnt it (`LiveState.number_of`: Secret Manager names a secret by its
        project's number, `learn_number`), without a call; else from GetProject, once a
        run (revcalls66 F4: that GetProject, after the secret's reads, held the project's
        policy back a round)."""
        if number := self.state.number_of(project):
            return number
        info = await self.iam.project(project)
        if info is None:
            return ""
        if project == self.project:
            self._own(info)  # the account's findings name it by this number (`LiveState.account`)
        return info.number

    def _own(self, info: ProjectInfo) -> None:
        """The workloads' project, as GetProject answered: its id by each of its names."""
        for token in (self.project, info.project_id, info.number):
            self.state.projects[token] = info.project_id


def _names(ref: SecretRef, number: str, resolved: str | None) -> list[str]:
    """The names a condition may test the version by: by project number only — IAM names
    Secret Manager versions `projects/PROJECT_NUMBER/secrets/SECRET_ID/versions/VERSION`
    (cloud.google.com/iam/docs/conditions-resource-attributes#resource-name), so a condition
    written with the project id never holds — by the version asked for and the one it is:
    which of the two IAM tests for an alias (`latest`) no Google doc says
    (AccessSecretVersionRequest.name only calls `latest` "an alias to the most recently
    created SecretVersion"), so `verdict` grants only what holds under both. Empty when the
    number is unknown (`verdict`: a condition is then unknown)."""
    if not number:
        return []
    versions = dict.fromkeys([resolved or ref.version, ref.version])
    return [f"projects/{number}/secrets/{ref.secret}/versions/{v}" for v in versions]


def _outright(accessors: frozenset[str], account: str) -> bool:
    """The secret's own policy grants the account without a condition. The unnamed default
    compute account is known by its project's number only (`_member`: another project's
    default account granted is not this one)."""
    if not PUBLIC.isdisjoint(accessors):
        return True
    return account != DEFAULT_SERVICE_ACCOUNT and f"serviceAccount:{account}" in accessors


def _unnamed(live: LiveService | None) -> bool:
    """A checked revision of the workload names no runtime account."""
    return live is not None and any(not r.config.service_account for r in live.checked)


def unknown_defaults(state: LiveState, named: Iterable[str], why: str) -> list[Unverified]:
    """Of the workloads `named` (whose profile names a default compute account, `NUMBER-
    compute@…`), those a checked revision of which names no account, where the project's
    number is unknown (`why`): the revision runs as PROJECT_NUMBER-compute@…
    (RevisionTemplate.service_account), so the setting is not verified, never the same."""
    return [
        Unverified.at(
            key,
            "setting.service_account",
            f"the revision runs as the project's default compute account (PROJECT_NUMBER"
            f"{DEFAULT_ACCOUNT_SUFFIX}), whose number is unknown: {why}",
        )
        for key in named
        if _unnamed(state.services.get(key))
    ]
