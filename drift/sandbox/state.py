"""The sandbox's in-memory world: the resource hierarchy (organisations, folders, projects
with their IAM policies), services with their revisions and deploys in progress, secrets with
versions and IAM policies, the clock, and the lookups every API shares."""

from __future__ import annotations

import hashlib
import random
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.cloud import secretmanager_v1
from google.iam.v1 import policy_pb2
from google.protobuf import timestamp_pb2

from drift.sandbox import iam
from drift.sandbox.backend import BackendConfig
from drift.sandbox.clock import Clock, seconds_of
from drift.sandbox.names import (
    JOB,
    JOBS,
    KIND_WORDS,
    POOL,
    POOLS,
    SECRET,
    SERVICE,
    SERVICES,
    VERSION,
    ResourceKey,
    RpcError,
    SecretKey,
    missing,
    not_found,
    parse,
)
from drift.sandbox.pb import (
    ExecutionPb,
    JobPb,
    PoolPb,
    RevisionPb,
    SecretPb,
    SecretVersionPb,
    ServicePb,
)
from drift.sandbox.scenario_models import Options

VersionState = secretmanager_v1.SecretVersion.State
SECRET_KIND = "secretmanager.googleapis.com/SecretVersion"


PATTERNS = {
    SERVICES: (SERVICE, "projects/PROJECT/locations/REGION/services/SERVICE"),
    POOLS: (POOL, "projects/PROJECT/locations/REGION/workerPools/WORKER_POOL"),
    JOBS: (JOB, "projects/PROJECT/locations/REGION/jobs/JOB"),
}


def denied(resource: str) -> RpcError:
    return RpcError(
        grpc.StatusCode.PERMISSION_DENIED,
        f"Permission denied on resource {resource} (or it may not exist).",
    )


@dataclass
class NodeRec:
    """A folder or an organisation: its parent, IAM policy, and the reads it denies."""

    name: str
    parent: str | None = None
    policy: policy_pb2.Policy = field(default_factory=lambda: policy_pb2.Policy(version=1))
    deny: frozenset[str] = frozenset()


@dataclass
class ProjectRec:
    id: str
    number: int
    region: str
    policy: policy_pb2.Policy = field(default_factory=lambda: policy_pb2.Policy(version=1))
    parent: str | None = None
    deny: frozenset[str] = frozenset()

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
class Rollout:
    """A deploy in progress: the generation it brings, the revision it created (None for a
    change that creates none), why that revision will fail (None: it becomes ready), when it
    settles (None: when told), and the operation that reports it."""

    generation: int
    created: str | None
    problem: str | None
    due: float | None
    operation: str
    secrets: bool = True  # the problem is a failed secret check (else: a container's)


@dataclass
class OwnerRec:
    """A service or a worker pool (`key.collection`): the resource, its revisions, the
    backend its revisions run (services only) and the deploy in progress."""

    key: ResourceKey
    pb: ServicePb | PoolPb
    revisions: dict[str, RevisionPb]  # short name -> revision, in creation order
    backend: BackendConfig = field(default_factory=BackendConfig)
    rollout: Rollout | None = None
    deleted: dict[str, RevisionPb] = field(default_factory=dict)
    """Deleted revisions as they were, with `delete_time`, `expire_time` (`retire.keep_deleted`)."""


@dataclass
class JobRec:
    """A job, its executions (short name -> execution, in creation order), the update
    reconciling (`update`) and the executions still running (short name -> their run)."""

    key: ResourceKey
    pb: JobPb
    executions: dict[str, ExecutionPb] = field(default_factory=dict)
    update: Rollout | None = None
    running: dict[str, Rollout] = field(default_factory=dict)


class World:
    """Everything the APIs read and write. Only touched from the sandbox's event loop."""

    def __init__(self, seed: int = 0, options: Options | None = None) -> None:
        self.options = options or Options()
        self.clock = Clock()
        self.projects: dict[str, ProjectRec] = {}
        self.by_number: dict[str, str] = {}
        self.nodes: dict[str, NodeRec] = {}
        self.services: dict[ResourceKey, OwnerRec] = {}
        self.pools: dict[ResourceKey, OwnerRec] = {}
        self.jobs: dict[ResourceKey, JobRec] = {}
        self.secrets: dict[SecretKey, SecretRec] = {}
        self.rotate_after_get: dict[str, bytes] = {}
        """Secret name -> the value of a version added right after the next GetSecretVersion
        of that secret is answered (`Controls.rotate_after_get`)."""
        self.condition_overrides: dict[str, bool] = {}
        self.observed_ingress: dict[str, int] = {}
        """A service's ingress (by name) as of its last deploy that served (option
        `ingress_read: observed`, `deploy.view`)."""
        self.acting_as = ""
        """Who makes the next writes when a test says so (`Controls.act_as`); until the world
        is built again (a reset), never in the scenario's options, which outlive it."""
        self.rng = random.Random(seed)
        self._serial = 0

    @property
    def caller(self) -> str:
        """Who the sandbox says writes (`creator`, `last_modifier`)."""
        return self.acting_as or self.options.caller

    # --- identity, time ------------------------------------------------------------

    def add_project(self, project: ProjectRec) -> None:
        self.projects[project.id] = project
        self.by_number[str(project.number)] = project.id

    def project(self, token: str) -> ProjectRec:
        """A project by id or number; an unknown one is denied, as Google APIs answer."""
        found = self.projects.get(self.by_number.get(token, token))
        if found is None:
            raise denied(f"project {token}")
        return found

    def secret_name(self, key: SecretKey) -> str:
        """A secret's name as Secret Manager returns it (Secret.name, and SecretVersion.name
        under it): by its project's NUMBER, whichever form the request named the project by —
        `projects/PROJECT_NUMBER/secrets/SECRET_ID` (e.g. the versions a Cloud Run revision
        resolves, "projects/{project_number}/secrets/{secret_id}/versions/{version_id}" in the
        secretmanager v1 references of other APIs; drift.diff.secrets)."""
        return f"projects/{self.project(key.project).number}/secrets/{key.secret}"

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def suffix(self, length: int = 3, alphabet: str = string.ascii_lowercase) -> str:
        return "".join(self.rng.choices(alphabet, k=length))

    def etag(self, name: str, of: str | None = None) -> str:
        """A new etag for `name`, or the one `of` (what it is derived from) always gives."""
        if of is None:
            self._serial += 1
            of = f"#{self._serial}"
        return f'"{hashlib.sha256(f"{name}{of}".encode()).hexdigest()[:20]}"'

    def version_etag(self, pb: SecretVersionPb) -> str:
        """A version's etag as it is now stored (option `version_etag`)."""
        if self.options.version_etag == "per_write":
            return self.etag(pb.name)
        due = pb.scheduled_destroy_time
        return self.etag(pb.name, f"@{pb.state}@{due.seconds}.{due.nanos}")

    def now(self, offset_seconds: float = 0.0) -> timestamp_pb2.Timestamp:
        return self.clock.stamp(offset_seconds)

    # --- the resource hierarchy and IAM --------------------------------------------

    def ancestors(self, project: ProjectRec) -> list[NodeRec]:
        """The folders and organisation above a project, nearest first."""
        out: list[NodeRec] = []
        parent = project.parent
        while parent is not None and parent in self.nodes and len(out) < 32:
            node = self.nodes[parent]
            out.append(node)
            parent = node.parent
        return out

    def can_access(self, key: SecretKey, member: str, version: str = "latest") -> bool:
        """Whether `member` may access the secret's version: a grant on the secret, its
        project, or a folder or organisation above it (Secret Manager access control:
        https://cloud.google.com/secret-manager/docs/access-control). Conditions see the
        version as `projects/NUMBER/secrets/NAME/versions/V`."""
        project = self.projects.get(key.project)
        policies = [rec.policy] if (rec := self.secrets.get(key)) is not None else []
        resource = key.version(version)
        if project is not None:
            policies += [project.policy, *(node.policy for node in self.ancestors(project))]
            resource = f"projects/{project.number}/secrets/{key.secret}/versions/{version}"
        return iam.grants(
            policies,
            member,
            iam.ACCESS_ROLES,
            resource=resource,
            kind=SECRET_KIND,
            now=self.clock.now(),
            unknown=self.options.unknown_conditions,
            overrides=self.condition_overrides,
            numbers={pid: rec.number for pid, rec in self.projects.items()},
            indirect=self.options.indirect_grants,
        )

    # --- services, worker pools, jobs -----------------------------------------------

    def key_of(self, name: str, collection: str = SERVICES) -> ResourceKey:
        """The key of `projects/P/locations/R/COLLECTION/ID` (P an id or a number)."""
        pattern, expected = PATTERNS[collection]
        project, region, id_ = parse(pattern, name, expected)
        return ResourceKey(self.project(project).id, region, id_, collection)

    def starting_point(self, key: ResourceKey, current: Any, message: Any) -> Any:
        """What a write starts from: a copy of the current resource, or (a write that
        creates it) a new one with its name, uid, creation time and creator."""
        base = message()
        if current is not None:
            base.CopyFrom(current)
        else:
            base.name, base.uid = key.name, self.uid()
            base.create_time.CopyFrom(self.now())
            base.creator = self.caller
        return base

    def owners(self, collection: str) -> dict[ResourceKey, OwnerRec]:
        return self.pools if collection == POOLS else self.services

    def owner(self, key: ResourceKey) -> OwnerRec:
        found = self.owners(key.collection).get(key)
        if found is None:
            raise missing(key)
        return found

    def job(self, key: ResourceKey) -> JobRec:
        found = self.jobs.get(key)
        if found is None:
            raise missing(key)
        return found

    def find(
        self, project: str, id_: str, collection: str = SERVICES, region: str | None = None
    ) -> ResourceKey:
        """A service, pool or job by project and name (any region unless given), for the
        test helpers."""
        pid = self.project(project).id
        keys = self.jobs if collection == JOBS else self.owners(collection)
        for key in keys:
            if key.project == pid and key.id == id_ and region in (None, key.region):
                return key
        raise LookupError(f"no {KIND_WORDS[collection].lower()} {id_!r} in project {project!r}")

    def find_service(self, project: str, service: str, region: str | None = None) -> OwnerRec:
        return self.owner(self.find(project, service, SERVICES, region))

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
        """The secret a `secret_key_ref.secret` or a secret volume names: `NAME` in the
        service's project, or `projects/P/secrets/NAME` with P an id or a number
        (SecretKeySelector.secret, k8s_min.proto)."""
        if ref.startswith("projects/"):
            other, secret = parse(SECRET, ref, "projects/PROJECT/secrets/SECRET")
            return SecretKey(self.by_number.get(other, other), secret)
        return SecretKey(project.id, ref)

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

    # --- secret lifecycle (expiry, delayed destruction) ----------------------------

    def watch_secret(self, key: SecretKey, rec: SecretRec) -> None:
        """Queue what the secret's times say: deletion at `expire_time` ("the secret is
        deleted then": Secret.expire_time, resources.proto) and destruction of each version
        at its `scheduled_destroy_time`."""
        if rec.pb.HasField("expire_time"):
            due = seconds_of(rec.pb.expire_time)
            self.clock.at(due, lambda: self._expire(key, rec))
        for version in rec.versions:
            self.watch_version(version)

    def watch_version(self, version: VersionRec) -> None:
        if version.pb.HasField("scheduled_destroy_time"):
            stamp = timestamp_pb2.Timestamp()
            stamp.CopyFrom(version.pb.scheduled_destroy_time)
            self.clock.at(seconds_of(stamp), lambda: self._destroy_when_due(version, stamp))

    def destroy(self, version: VersionRec) -> None:
        version.pb.state = VersionState.DESTROYED
        version.pb.destroy_time.CopyFrom(self.now())
        version.pb.ClearField("scheduled_destroy_time")
        version.pb.etag = self.version_etag(version.pb)
        version.data = b""

    def _expire(self, key: SecretKey, rec: SecretRec) -> None:
        if self.secrets.get(key) is rec and rec.pb.HasField("expire_time"):
            if seconds_of(rec.pb.expire_time) <= self.clock.now():
                del self.secrets[key]

    def _destroy_when_due(self, version: VersionRec, stamp: timestamp_pb2.Timestamp) -> None:
        # a version enabled or disabled since is no longer scheduled
        if version.pb.scheduled_destroy_time == stamp and version.state != VersionState.DESTROYED:
            self.destroy(version)
