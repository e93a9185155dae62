"""What a service really runs with, as plain typed objects (normalised, comparable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from drift.profiles.model import SettingValue


@dataclass(frozen=True)
class SecretRef:
    """A Secret Manager reference as Cloud Run stores it (short secret name)."""

    secret: str
    version: str = "latest"

    def __str__(self) -> str:
        return f"secret {self.secret}:{self.version}"


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None = None
    ref: SecretRef | None = None

    @property
    def is_secret(self) -> bool:
        return self.ref is not None


@dataclass(frozen=True)
class RevisionConfig:
    """The part of a revision (or template) drift compares: env and settings."""

    env: dict[str, EnvVar]
    settings: dict[str, SettingValue]
    service_account: str
    container: str

    @cached_property
    def fingerprint(self) -> dict[str, Any]:
        """What must be equal for two revisions to run with the same configuration. Computed
        once: a revision described by its service's template shares the template's config, so
        comparing them is comparing one object with itself."""
        return {
            "env": {k: (v.value, v.ref) for k, v in sorted(self.env.items())},
            "settings": {k: v for k, v in self.settings.items() if k != "ingress"},
        }


@dataclass(frozen=True)
class ServingRevision:
    name: str
    percent: int
    tags: tuple[str, ...]
    tag_urls: tuple[str, ...]
    config: RevisionConfig
    ready: bool = True


@dataclass(frozen=True)
class LiveService:
    name: str
    full_name: str
    uri: str
    etag: str
    template: RevisionConfig
    serving: tuple[ServingRevision, ...]
    latest_created: str
    latest_ready: str
    latest_created_ready: bool
    latest_created_message: str = ""
    reconciling: bool = False


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


@dataclass(frozen=True)
class SecretPolicy:
    """Who may access a secret (members holding an accessor role on the secret)."""

    secret: str
    accessors: frozenset[str] = field(default_factory=frozenset)

    def grants(self, service_account: str) -> bool:
        return f"serviceAccount:{service_account}" in self.accessors or bool(
            {"allUsers", "allAuthenticatedUsers"} & self.accessors
        )
