"""What was read of the secrets a workload references: each version's state, each secret's own
policy, and how a value is held as text for the rules that compare values (and registered as a
secret: `registered`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from drift import redact
from drift.live.iam_policy import PUBLIC, Binding, Policy
from drift.refs import SecretRef

BINARY = "\ufffebinary:"
"""How a secret value that is not UTF-8 text is held (`secret_text`)."""


def secret_text(data: bytes) -> str:
    """A secret's payload as the rules compare it: its text, or, when it is not UTF-8, its
    bytes in hex behind `BINARY` (decoding with replacement would make two different values
    one, and a `same_as` would call them equal)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return BINARY + data.hex()


def registered(name: str, answer: tuple[str, bytes]) -> str:
    """The value read from the version `name` (`answer`: the version it resolved to, its
    payload) as the rules hold it (`BINARY` and hex when not UTF-8), registered as a secret:
    as text, and each readable run of a binary value; with the version read, by its number
    (`latest` names another one once the secret rotates): a journal refers to it."""
    data = answer[1]
    value = secret_text(data)
    redact.register(value)
    numbered = answer[0] or name
    version = numbered if numbered.rsplit("/", 1)[-1].isdigit() else ""
    redact.register_payload(data, version)
    return value


class VersionState(StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"
    DESTROYED = "DESTROYED"
    MISSING = "MISSING"
    SECRET_MISSING = "SECRET_MISSING"


@dataclass(frozen=True)
class SecretVersionInfo:
    """State of one referenced version (`latest` and aliases resolved to a number)."""

    ref: SecretRef
    state: VersionState
    resolved: str | None = None
    destroy_at: dt.datetime | None = None
    """When a version scheduled for destruction will be destroyed (delayed destruction)."""
    destroyed: dt.datetime | None = None
    """When a DESTROYED version was destroyed (`destroy_time`: "Only present if state is
    DESTROYED")."""
    created: dt.datetime | None = None
    """When the version was added (SecretVersion.create_time, "The time at which the
    SecretVersion was created"): where `latest` (or an alias) names it, from then on."""


@dataclass(frozen=True)
class SecretPolicy:
    """Who may access a secret by its own policy: members holding an accessor role outright,
    and the bindings that may grant it but not outright: accessor roles under a condition, and
    custom roles (which drift does not expand)."""

    secret: str
    accessors: frozenset[str] = field(default_factory=frozenset)
    conditional: tuple[Binding, ...] = ()
    resource: str = ""
    """The secret's name as its GetIamPolicy was asked (`projects/P/secrets/S`)."""
    etag: bytes = b""
    """The policy as read (`stamp`), for `drift.live.held_still` to tell whether it changed
    since."""

    @staticmethod
    def stamp(policy: Any) -> bytes:
        """What tells one read of an IAM policy (google.iam.v1.Policy) from another: its
        `etag`, another once the policy is written ("used for optimistic concurrency control
        as a way to help prevent simultaneous updates of a policy from overwriting each
        other", google/iam/v1/policy.proto); the whole policy where a server sends none."""
        return bytes(policy.etag) or policy.SerializeToString(deterministic=True)

    def grants(self, service_account: str) -> bool:
        return f"serviceAccount:{service_account}" in self.accessors or bool(
            PUBLIC & self.accessors
        )

    def policy(self, resource: str) -> Policy:
        outright = Binding("roles/secretmanager.secretAccessor", self.accessors)
        return Policy(resource, (outright, *self.conditional))
