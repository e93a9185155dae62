"""IAM policies as drift reads them, and the one question it asks of them: may this member
access this secret version? Conditional bindings are evaluated with three values: a part drift
can evaluate exactly (the CEL conditions on secrets use in practice) decides when CEL's `&&`/`||`
let it; otherwise the answer is "unknown" (reported as unverified, never as `secret.no_access`).

Sources: Secret Manager access control — the Secret Accessor role can be granted on the
secret, its project, a folder or the organisation; `secretmanager.versions.access` is in
roles/owner, roles/secretmanager.admin and roles/secretmanager.secretAccessor only (roles/editor
lacks it). IAM Conditions: Secret Manager resources are named
`projects/PROJECT_NUMBER/secrets/SECRET/versions/VERSION`; GetIamPolicy returns conditions only
with `options.requested_policy_version = 3` (google/iam/v1/options.proto)."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from drift.live.cel import evaluate

ACCESSOR_ROLES = frozenset(
    {"roles/secretmanager.secretAccessor", "roles/secretmanager.admin", "roles/owner"}
)
PUBLIC = frozenset({"allUsers", "allAuthenticatedUsers"})
INDIRECT = ("group:", "domain:", "principalSet:", "principal:")
"""Members that stand for principals drift cannot list (`Policy.indirect_bindings`)."""
WORKFORCE = (
    "principal://iam.googleapis.com/locations/global/workforcePools/",
    "principalSet://iam.googleapis.com/locations/global/workforcePools/",
)
"""Workforce identities — human users of an external identity provider, one or a set — never
a service account, so never a Cloud Run runtime account (cloud.google.com/iam/docs/principal-
identifiers: "Workforce Identity Federation")."""


def project_accounts(number: str) -> str:
    """The identifier of every service account of the project numbered `number`
    (cloud.google.com/iam/docs/principal-identifiers, "All service accounts in a project":
    `principalSet://cloudresourcemanager.googleapis.com/projects/PROJECT_NUMBER/type/
    ServiceAccount`)."""
    return (
        f"principalSet://cloudresourcemanager.googleapis.com/projects/{number}/type/ServiceAccount"
    )


PROJECT_ACCOUNTS = re.compile(
    r"principalSet://cloudresourcemanager\.googleapis\.com/projects/\d+/type/ServiceAccount"
)
CUSTOM_ROLES = ("projects/", "organizations/")


@dataclass(frozen=True)
class Binding:
    role: str
    members: frozenset[str]
    condition: str = ""
    """The CEL expression of a conditional binding ("" when unconditional)."""


@dataclass(frozen=True)
class Policy:
    """An IAM policy as read (`resource`: the secret, project, folder or organisation)."""

    resource: str
    bindings: tuple[Binding, ...] = ()
    etag: bytes = field(default=b"", compare=False)
    """What tells this read from a later one (`SecretPolicy.stamp`): `drift.live.held_still`
    reads a policy a verdict consulted again to confirm it."""
    asked: float = field(default=0.0, compare=False)
    """When its read was sent and answered (`time.monotonic()`; not known: 0 and infinity):
    `drift.live.held_still` needs no read again of one asked for once every other read its
    verdict pairs was answered."""
    answered: float = field(default=math.inf, compare=False)

    @classmethod
    def from_proto(cls, resource: str, policy: Any, asked: float = 0.0) -> Policy:
        """The policy as read, answered now (after `asked`, when known)."""
        return cls(
            resource,
            tuple(
                Binding(
                    b.role,
                    frozenset(b.members),
                    b.condition.expression if b.HasField("condition") else "",
                )
                for b in policy.bindings
            ),
            bytes(policy.etag) or policy.SerializeToString(deterministic=True),
            asked,
            time.monotonic(),
        )

    def accessor_bindings(self, member: str, number: str = "") -> list[Binding]:
        """Bindings of an accessor role naming `member` (or everyone, or every service account
        of its project: `number`, that project's number, when known)."""
        own = project_accounts(number) if number else ""
        return [
            b
            for b in self.bindings
            if b.role in ACCESSOR_ROLES
            and (member in b.members or PUBLIC & b.members or own in b.members)
        ]

    def names_project_accounts(self) -> bool:
        """An accessor role is held by all the service accounts of a project."""
        return any(
            b.role in ACCESSOR_ROLES and any(PROJECT_ACCOUNTS.fullmatch(m) for m in b.members)
            for b in self.bindings
        )

    def deleted_bindings(self, member: str) -> list[str]:
        """Accessor bindings of a deleted account of the same address as `member`
        (`deleted:serviceAccount:EMAIL?uid=N`, google/iam/v1/policy.proto Binding.members):
        they grant nothing to an account created again with that address ("the new service
        account is treated as a separate identity", cloud.google.com/iam/docs/service-
        accounts-delete-undelete)."""
        gone = f"deleted:{member}?uid="
        return [
            f"{m} ({b.role} on {self.resource})"
            for b in self.bindings
            if b.role in ACCESSOR_ROLES
            for m in sorted(b.members)
            if m.startswith(gone)
        ]

    def indirect_bindings(self, member: str, number: str = "") -> list[str]:
        """Bindings that may grant `member` access in ways drift does not expand: an accessor
        role held by a group, a domain or a principal set or identifier ("group:{emailid}: An
        email address that represents a Google group", `domain:`, `principalSet://`,
        `principal://`: google/iam/v1/policy.proto Binding.members — every principal in it
        holds the role), and a custom role (`projects/*/roles/*`, `organizations/*/roles/*`)
        held by the member, everyone or such a set: it may include
        `secretmanager.versions.access` (Secret Manager access control: "You can grant one or
        more predefined roles or create and grant custom roles"). Not those drift decides:
        a workforce identity (never a service account) and, when the number of the
        account's project is known, a project's "all service accounts" set."""
        # the account's own project's "all service accounts" set holds it as its name does: a
        # custom role held by that set is as undecided as one held by the account (revsecret90
        # F2: once the number was known, such a role counted for nothing: `no_access`)
        own = project_accounts(number) if number else ""
        out = []
        for b in self.bindings:
            sets = sorted(m for m in b.members if _indirect(m, number))
            named = sorted({member, own} & b.members)
            if b.role in ACCESSOR_ROLES and sets:
                out.append(f"{b.role} to {', '.join(sets)}")
            elif b.role.startswith(CUSTOM_ROLES) and (sets or named or PUBLIC & b.members):
                held = ", ".join(sets) or ", ".join(named) or "everyone"
                out.append(f"the custom role {b.role} to {held}")
        return out


def indirect(member: str, number: str) -> bool:
    """A member standing for principals drift cannot list (`indirect_bindings`), as a planned
    grant is judged too (`drift.manifest.planned.Planned.grant`)."""
    return _indirect(member, number)


def _indirect(member: str, number: str) -> bool:
    if not member.startswith(INDIRECT) or member.startswith(WORKFORCE):
        return False
    return not (number and PROJECT_ACCOUNTS.fullmatch(member))


class Grant(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    grant: Grant
    detail: str = ""


def verdict(
    member: str,
    resource_names: Sequence[str],
    policies: Iterable[Policy],
    unreadable: dict[str, str],
    now: dt.datetime,
    unread: str = "",
    number: str = "",
) -> Verdict:
    """Whether `member` may access a secret version named any of `resource_names` (the names
    a condition may test it by, by project number: none when the number is unknown, and then a
    conditional grant is unknown). Which of a version's names IAM tests when it is asked for by
    an alias (`latest`: the alias or the number it stands for) is not documented, so a grant
    counts only when a condition holds for every name, and denies only when it fails for all
    of them: one that holds for some names only is unknown (SPEC "Access as IAM grants it":
    what drift cannot judge it cannot call clean, nor `no_access`). `unread`: why a policy
    that decides (the project's) could not be read — unless a readable one grants, the answer
    is unknown; `unreadable`: levels above the project that could not be read — they may grant
    too, so unless a readable level grants, the answer is unknown (SPEC "Access as IAM grants
    it": the folders and the organisation count when readable; what drift cannot read it
    cannot deny). `number`: that of the project of `member` (a service account), when known:
    a grant to all of that project's service accounts holds it."""
    undecided: list[str] = []
    policies = list(policies)
    partly: list[str] = []  # conditional grants that hold for some names of the version
    covered: set[str] = set()  # the names one of them holds for
    for policy in policies:
        for binding in policy.accessor_bindings(member, number):
            where = f"{binding.role} on {policy.resource}"
            if not binding.condition:
                return Verdict(Grant.GRANTED, where)
            holds = {name: evaluate(binding.condition, name, now) for name in resource_names}
            if resource_names and all(holds.values()):
                return Verdict(Grant.GRANTED, f"{where} (condition)")
            if any(holds.values()):
                partly.append(where)
                covered.update(name for name, held in holds.items() if held)
            if not resource_names or any(held is not False for held in holds.values()):
                undecided.append(f"{where} if {binding.condition}{_which(holds)}")
    if resource_names and covered == set(resource_names):  # one grant for each name
        return Verdict(Grant.GRANTED, "; ".join(partly) + " (conditions)")
    why: list[str] = []
    if undecided:
        why.append("a conditional grant drift cannot evaluate: " + "; ".join(undecided))
    indirect = [
        f"{b} on {p.resource}" for p in policies for b in p.indirect_bindings(member, number)
    ]
    if indirect:
        why.append("a grant drift cannot expand may hold it: " + "; ".join(indirect))
    if unread:
        why.append(f"a grant on the project cannot be ruled out: {unread}")
    if unreadable:
        levels = ", ".join(f"{r} ({status})" for r, status in unreadable.items())
        why.append(f"a grant above the project cannot be ruled out: not readable: {levels}")
    if why:
        return Verdict(Grant.UNKNOWN, "; ".join(why))
    if gone := [d for p in policies for d in p.deleted_bindings(member)]:
        return Verdict(
            Grant.DENIED,
            f"; the binding of {', '.join(gone)} is a deleted account of that address, which "
            "grants nothing to the account created again with it: grant the new account, or "
            "undelete the old one",
        )
    return Verdict(Grant.DENIED)


def _which(holds: dict[str, bool | None]) -> str:
    """Why a condition is undecided beyond drift not evaluating it: no name to test, or it
    holds for some names of the version and not for others."""
    if not holds:
        return " (the project number IAM names it by is unknown)"
    short = {"/".join(name.split("/")[-2:]): held for name, held in holds.items()}
    if not any(short.values()) or None in short.values():
        return ""
    yes = ", ".join(n for n, held in short.items() if held)
    no = ", ".join(n for n, held in short.items() if not held)
    return f" (true for {yes}, false for {no}: which name IAM tests is not documented)"
