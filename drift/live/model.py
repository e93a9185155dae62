"""What a workload really runs with, as plain typed objects (normalised, comparable), plus the
API resources they were read from, kept for the commands that write them back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from drift.fields import SettingValue
from drift.findings import Unverified


@dataclass(frozen=True, order=True)
class SecretRef:
    """A Secret Manager reference as Cloud Run stores it: a secret of the workload's own
    project (`project` empty) or of another project (`projects/P/secrets/NAME`, P an id or a
    number, kept as written), and a version (`latest`, a number or an alias)."""

    secret: str
    version: str = "latest"
    project: str = ""

    @classmethod
    def parse(cls, name: str, version: str = "latest") -> SecretRef:
        """From `secret_key_ref.secret` / `volumes[].secret.secret`: `NAME` or
        `projects/P/secrets/NAME`."""
        parts = name.split("/")
        if len(parts) == 4 and parts[0] == "projects" and parts[2] == "secrets":
            return cls(parts[3], version or "latest", parts[1])
        return cls(parts[-1], version or "latest")

    @property
    def key(self) -> str:
        """The secret's name in targets and messages: `NAME`, or `P/NAME` in another project."""
        return f"{self.project}/{self.secret}" if self.project else self.secret

    @property
    def secret_ref(self) -> SecretRef:
        """The secret itself, whatever the version."""
        return SecretRef(self.secret, "latest", self.project)

    def resource(self, own_project: str) -> str:
        """`projects/P/secrets/NAME`, in the named project or else the workload's own."""
        return f"projects/{self.project or own_project}/secrets/{self.secret}"

    def version_resource(self, own_project: str) -> str:
        return f"{self.resource(own_project)}/versions/{self.version}"

    def api_name(self) -> str:
        """What Cloud Run's `secret` fields hold for this reference."""
        return f"projects/{self.project}/secrets/{self.secret}" if self.project else self.secret

    def __str__(self) -> str:
        return f"secret {self.key}:{self.version}"


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None = None
    ref: SecretRef | None = None

    @property
    def is_secret(self) -> bool:
        return self.ref is not None


@dataclass(frozen=True)
class SecretMount:
    """A secret file (or directory of files) a container sees at `path`."""

    path: str
    ref: SecretRef
    volume: str


@dataclass(frozen=True)
class ContainerConfig:
    name: str
    image: str = ""
    ingress: bool = False
    """The container that receives requests (the one declaring a port)."""
    env: dict[str, EnvVar] = field(default_factory=dict)
    mounts: dict[str, SecretMount] = field(default_factory=dict)


@dataclass(frozen=True)
class RevisionConfig:
    """The part of a revision (or template) drift compares: its containers and the settings
    Cloud Run applies to it. `primary` is the container the profile's `env` describes."""

    containers: tuple[ContainerConfig, ...]
    settings: dict[str, SettingValue]
    service_account: str
    primary: str = ""

    @property
    def main(self) -> ContainerConfig:
        return next(
            (c for c in self.containers if c.name == self.primary),
            ContainerConfig(self.primary),
        )

    @property
    def env(self) -> dict[str, EnvVar]:
        """The variables of the container the profile's `env` describes."""
        return self.main.env

    @property
    def container(self) -> str:
        return self.primary

    def secret_refs(self) -> list[tuple[ContainerConfig, str, SecretRef]]:
        """Every secret reference, wherever it is: (container, what uses it, reference), where
        what uses it is a variable name or a mount path."""
        out: list[tuple[ContainerConfig, str, SecretRef]] = []
        for container in self.containers:
            out += [(container, v.name, v.ref) for v in container.env.values() if v.ref]
            out += [(container, m.path, m.ref) for m in container.mounts.values()]
        return out

    @cached_property
    def fingerprint(self) -> dict[str, Any]:
        """What must be equal for two revisions to run with the same configuration. Computed
        once: a revision described by its service's template shares the template's config, so
        comparing them is comparing one object with itself."""
        env = {
            f"{c.name}:{k}" if c.name != self.primary else k: (v.value, v.ref)
            for c in self.containers
            for k, v in sorted(c.env.items())
        }
        mounts = {f"{c.name}:{p}": m.ref for c in self.containers for p, m in c.mounts.items()}
        return {
            "env": env,
            "mounts": mounts,
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
    source: Any = None
    """The run_v2.Revision as read, when it was fetched (None: described by the template)."""


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
    source: Any = None
    """The run_v2.Service exactly as read: what a fix changes and sends back."""


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


@dataclass(repr=False)
class LiveState:
    """Everything read for one check. `values` live in memory only and are never shown.
    Policies are keyed by `SecretRef.key`."""

    services: dict[str, LiveService] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    """Every service the region lists, when it was listed (for "did you mean")."""
    versions: dict[SecretRef, SecretVersionInfo] = field(default_factory=dict)
    policies: dict[str, SecretPolicy] = field(default_factory=dict)
    values: dict[SecretRef, str] = field(default_factory=dict)
    unverified: list[Unverified] = field(default_factory=list)

    def secret_unverified(self, key: str) -> bool:
        return any(u.target == f"secret.{key}" for u in self.unverified)

    def __repr__(self) -> str:
        # Sizes only: a repr never shows a value, and stays cheap (asyncio.run in Python 3.11
        # formats the repr of its task's result when it restores the SIGINT handler).
        return (
            f"LiveState(services={len(self.services)}, missing={len(self.missing)}, "
            f"versions={len(self.versions)}, policies={len(self.policies)}, "
            f"values={len(self.values)}, unverified={len(self.unverified)})"
        )
