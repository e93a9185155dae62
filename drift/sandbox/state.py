"""The sandbox's in-memory world: projects, services with their revisions, secrets with
versions and IAM policies, and the lookups every API shares."""

from __future__ import annotations

import hashlib
import random
import string
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import grpc
from google.cloud import secretmanager_v1
from google.iam.v1 import policy_pb2
from google.protobuf import timestamp_pb2

from drift.sandbox.backend import BackendConfig
from drift.sandbox.names import (
    SECRET,
    SERVICE,
    VERSION,
    RpcError,
    SecretKey,
    ServiceKey,
    not_found,
    parse,
)
from drift.sandbox.pb import RevisionPb, SecretPb, SecretVersionPb, ServicePb

VersionState = secretmanager_v1.SecretVersion.State

ACCESS_ROLES = frozenset(
    {"roles/secretmanager.secretAccessor", "roles/secretmanager.admin", "roles/owner"}
)


@dataclass
class ProjectRec:
    id: str
    number: int
    region: str
    iam: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def default_service_account(self) -> str:
        return f"{self.number}-compute@developer.gserviceaccount.com"


@dataclass
class VersionRec:
    pb: SecretVersionPb
    data: bytes

    @property
    def number(self) -> int:
        return int(self.pb.name.rsplit("/", 1)[1])

    @property
    def state(self) -> int:
        return int(self.pb.state)


@dataclass
class SecretRec:
    pb: SecretPb
    versions: list[VersionRec]
    policy: policy_pb2.Policy


@dataclass
class ServiceRec:
    key: ServiceKey
    pb: ServicePb
    revisions: dict[str, RevisionPb]  # short name -> revision, in creation order
    backend: BackendConfig


class World:
    """Everything the APIs read and write. Only touched from the sandbox's event loop."""

    def __init__(self, seed: int = 0) -> None:
        self.projects: dict[str, ProjectRec] = {}
        self.by_number: dict[str, str] = {}
        self.services: dict[ServiceKey, ServiceRec] = {}
        self.secrets: dict[SecretKey, SecretRec] = {}
        self.rng = random.Random(seed)
        self._serial = 0

    # --- identity, time ------------------------------------------------------------

    def add_project(self, project: ProjectRec) -> None:
        self.projects[project.id] = project
        self.by_number[str(project.number)] = project.id

    def project(self, token: str) -> ProjectRec:
        """A project by id or number; an unknown one is denied, as Google APIs answer."""
        pid = self.by_number.get(token, token)
        found = self.projects.get(pid)
        if found is None:
            raise RpcError(
                grpc.StatusCode.PERMISSION_DENIED,
                f"Permission denied on resource project {token} (or it may not exist).",
            )
        return found

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def suffix(self) -> str:
        return "".join(self.rng.choices(string.ascii_lowercase, k=3))

    def etag(self, name: str) -> str:
        self._serial += 1
        digest = hashlib.sha256(f"{name}#{self._serial}".encode()).hexdigest()[:20]
        return f'"{digest}"'

    @staticmethod
    def now(offset_seconds: float = 0.0) -> timestamp_pb2.Timestamp:
        stamp = timestamp_pb2.Timestamp()
        stamp.FromNanoseconds(int((time.time() + offset_seconds) * 1e9))
        return stamp

    # --- services ------------------------------------------------------------------

    def service_key(self, name: str) -> ServiceKey:
        project, region, service = parse(
            SERVICE, name, "projects/PROJECT/locations/REGION/services/SERVICE"
        )
        return ServiceKey(self.project(project).id, region, service)

    def service(self, key: ServiceKey) -> ServiceRec:
        found = self.services.get(key)
        if found is None:
            raise not_found(
                f"Resource '{key.service}' of kind 'SERVICE' in region '{key.region}' "
                f"in project '{key.project}' does not exist."
            )
        return found

    def find_service(self, project: str, service: str, region: str | None = None) -> ServiceRec:
        """A service by project and name (any region unless given), for the test helpers."""
        pid = self.project(project).id
        for key, rec in self.services.items():
            if key.project == pid and key.service == service and region in (None, key.region):
                return rec
        raise LookupError(f"no service {service!r} in project {project!r}")

    # --- secrets -------------------------------------------------------------------

    def secret_key(self, name: str) -> SecretKey:
        project, secret = parse(SECRET, name, "projects/PROJECT/secrets/SECRET")
        return SecretKey(self.project(project).id, secret)

    def secret(self, key: SecretKey) -> SecretRec:
        found = self.secrets.get(key)
        if found is None:
            raise not_found(f"Secret [{key.name}] not found.")
        return found

    def version_ref(self, name: str) -> tuple[SecretRec, VersionRec]:
        project, secret, version = parse(
            VERSION, name, "projects/PROJECT/secrets/SECRET/versions/VERSION"
        )
        rec = self.secret(SecretKey(self.project(project).id, secret))
        return rec, self.resolve_version(rec, version)

    @staticmethod
    def resolve_version(rec: SecretRec, version: str) -> VersionRec:
        """`latest` is the most recently created version, whatever its state; aliases too."""
        if version == "latest":
            if not rec.versions:
                raise not_found(f"Secret [{rec.pb.name}] not found or has no versions.")
            return rec.versions[-1]
        number: int | None = rec.pb.version_aliases.get(version)
        if number is None and version.isdigit():
            number = int(version)
        if number is None or not 1 <= number <= len(rec.versions):
            raise not_found(f"Secret Version [{rec.pb.name}/versions/{version}] not found.")
        return rec.versions[number - 1]

    def secret_ref_key(self, project: ProjectRec, ref: str) -> SecretKey:
        """The secret an env var's `secret_key_ref.secret` names (`NAME` or a full name)."""
        if ref.startswith("projects/"):
            other, secret = parse(SECRET, ref, "projects/PROJECT/secrets/SECRET")
            pid = self.by_number.get(other, other)
            return SecretKey(pid, secret)
        return SecretKey(project.id, ref)

    def can_access(self, key: SecretKey, member: str) -> bool:
        """Whether `member` may access versions of the secret (secret or project binding)."""
        rec = self.secrets.get(key)
        project = self.projects.get(key.project)
        bindings: list[tuple[str, Iterable[str]]] = []
        if rec is not None:
            bindings.extend((b.role, b.members) for b in rec.policy.bindings)
        if project is not None:
            bindings.extend(project.iam.items())
        return any(role in ACCESS_ROLES and member in members for role, members in bindings)

    def secret_text(self, project: ProjectRec, ref: str, version: str) -> str | None:
        """The value of an enabled version, or None: for backends and test helpers only."""
        try:
            rec = self.secret(self.secret_ref_key(project, ref))
            found = self.resolve_version(rec, version or "latest")
        except RpcError:
            return None
        if found.state != VersionState.ENABLED:
            return None
        return found.data.decode("utf-8", errors="replace")
