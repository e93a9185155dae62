"""`google.cloud.secretmanager.v1.SecretManagerService`: secrets, versions with their states
and `latest`, payload access with CRC32C, and IAM policies on secrets."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import grpc
from google.cloud import secretmanager_v1
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf.message import Message

from drift.sandbox import iam
from drift.sandbox.checksum import crc32c
from drift.sandbox.core import Core
from drift.sandbox.names import PROJECT, RpcError, SecretKey, invalid, parse
from drift.sandbox.pb import SecretPb, SecretVersionPb, copy
from drift.sandbox.rpc import Method, paginate
from drift.sandbox.scenario_models import PAYLOAD_MAX as MAX_PAYLOAD
from drift.sandbox.state import SecretRec, VersionRec, VersionState

SERVICE = "google.cloud.secretmanager.v1.SecretManagerService"
SECRET_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def _state_name(version: VersionRec) -> str:
    return str(VersionState(version.state).name)


def _filter_matches(text: str, fields: dict[str, str]) -> bool:
    """The part of the list filter syntax (AIP-160) a script would send: `key:value` (or
    `key=value`) terms, ANDed, a term `OR` its neighbour (OR binds tighter than AND: AIP-160
    "Logical operators"; Secret Manager's own example is `name:asecret OR name:bsecret`:
    cloud.google.com/secret-manager/docs/filtering), a label by `labels.KEY` (AIP-160's
    traversal of a map). Anything else is refused as INVALID_ARGUMENT (docs/sandbox.md: not
    modelled); drift itself sends no filter."""
    groups: list[list[str]] = [[]]
    joined = False
    for word in text.split():
        if word.upper() == "AND":
            groups.append([])
        elif word.upper() == "OR":
            joined = True
        elif joined or not groups[-1]:
            groups[-1].append(word)
            joined = False
        else:  # terms side by side: an implicit AND (AIP-160 "a b" is "a AND b")
            groups.append([word])
    return all(any(_term_matches(text, t, fields) for t in group) for group in groups if group)


def _term_matches(text: str, term: str, fields: dict[str, str]) -> bool:
    key, sep, value = term.partition(":")
    if not sep:
        key, sep, value = term.partition("=")
    if not sep or key not in fields:
        raise invalid(f"Invalid filter '{text}'.")
    return value.lower() in fields[key].lower()


class SecretsApi:
    def __init__(self, core: Core) -> None:
        self.core = core

    def _project(self, parent: str) -> str:
        (project,) = parse(PROJECT, parent, "projects/PROJECT")
        return self.core.world.project(project).id

    def _page(self, request: Any, listed: list[Any], response: Any, field: str) -> Message:
        """One page of `listed` (records) as `response`, `field` its repeated field;
        `total_size` "The total number of [secrets, versions] but 0 when the … filter field is
        set" (service.proto, ListSecretsResponse and ListSecretVersionsResponse)."""
        shape = self.core.world.options.pages
        page, token = paginate(listed, request.page_size, request.page_token, shape=shape)
        total = 0 if request.filter else len(listed)
        kept = {field: [rec.pb for rec in page]}
        return response.pb()(**kept, next_page_token=token, total_size=total)

    def _secret(self, name: str) -> SecretRec:
        world = self.core.world
        return world.secret(world.secret_key(name))

    async def list_secrets(self, request: Any) -> Message:
        """ "The list of Secrets sorted in reverse by create_time (newest first)"
        (ListSecretsResponse.secrets, secretmanager v1 service.proto); those made in one
        instant by name, an order the proto leaves open."""
        pid = self._project(request.parent)
        recs = [
            rec
            for key, rec in sorted(self.core.world.secrets.items(), key=_newest_first)
            if key.project == pid
            and _filter_matches(
                request.filter,
                {"name": key.secret} | {f"labels.{k}": v for k, v in rec.pb.labels.items()},
            )
        ]
        return self._page(request, recs, secretmanager_v1.ListSecretsResponse, "secrets")

    async def get_secret(self, request: Any) -> Message:
        return copy(self._secret(request.name).pb)

    async def create_secret(self, request: Any) -> Message:
        world = self.core.world
        key = SecretKey(self._project(request.parent), request.secret_id)
        if not SECRET_ID.fullmatch(request.secret_id):
            raise invalid(f"Invalid secret_id '{request.secret_id}'.")
        if not request.secret.HasField("replication"):
            raise invalid("Secret.replication must be specified.")
        if key in world.secrets:
            raise RpcError(grpc.StatusCode.ALREADY_EXISTS, f"Secret [{key.name}] already exists.")
        secret = SecretPb()
        secret.CopyFrom(request.secret)
        secret.name = world.secret_name(key)  # by the project's number, as Google answers
        secret.create_time.CopyFrom(world.now())
        if secret.HasField("ttl"):
            # `ttl` is input only; `expire_time` "is always provided on output" (Secret)
            secret.expire_time.CopyFrom(world.now(secret.ttl.ToNanoseconds() / 1e9))
        secret.etag = world.etag(key.name)
        policy = policy_pb2.Policy(version=1, etag=world.etag(f"{key.name}:iam").encode())
        world.secrets[key] = rec = SecretRec(secret, [], policy)
        world.watch_secret(key, rec)
        return copy(secret)

    async def add_secret_version(self, request: Any) -> Message:
        rec = self._secret(request.parent)
        data = request.payload.data
        if len(data) > MAX_PAYLOAD:
            raise invalid(f"Secret payload exceeds {MAX_PAYLOAD} bytes.")
        checksum = request.payload.data_crc32c if request.payload.HasField("data_crc32c") else None
        if checksum is not None and checksum != crc32c(data):
            raise invalid("Checksum mismatch: data_crc32c does not match the payload.")
        return copy(self._add(rec, data, checksum))

    def _add(self, rec: SecretRec, data: bytes, checksum: int | None = None) -> Any:
        """A new ENABLED version of `rec` holding `data` (what `latest` names from now on)."""
        world = self.core.world
        name = f"{rec.pb.name}/versions/{len(rec.versions) + 1}"
        version = SecretVersionPb(
            name=name,
            create_time=world.now(),
            state=VersionState.ENABLED,
            client_specified_payload_checksum=checksum is not None,
        )
        version.etag = world.version_etag(version)
        rec.versions.append(VersionRec(version, bytes(data)))
        return version

    async def list_secret_versions(self, request: Any) -> Message:
        rec = self._secret(request.parent)
        versions = [
            v
            # "sorted in reverse by create_time (newest first)" (ListSecretVersionsResponse)
            for v in reversed(rec.versions)
            if _filter_matches(request.filter, {"state": _state_name(v), "name": v.pb.name})
        ]
        return self._page(
            request, versions, secretmanager_v1.ListSecretVersionsResponse, "versions"
        )

    async def get_secret_version(self, request: Any) -> Message:
        rec, version = self.core.world.version_ref(request.name)
        answer = copy(version.pb)
        rotation = self.core.world.rotate_after_get.pop(rec.pb.name, None)
        if rotation is not None:  # a rotation lands once this answer is made
            self._add(rec, rotation)
        return answer

    async def access_secret_version(self, request: Any) -> Message:
        _, version = self.core.world.version_ref(request.name)
        if version.state != VersionState.ENABLED:
            raise RpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Secret Version [{version.pb.name}] is in {_state_name(version)} state.",
            )
        payload = secretmanager_v1.SecretPayload.pb()(
            data=version.data, data_crc32c=crc32c(version.data)
        )
        return secretmanager_v1.AccessSecretVersionResponse.pb()(
            name=version.pb.name, payload=payload
        )

    def _transition(self, request: Any, state: int) -> Message:
        world = self.core.world
        rec, version = world.version_ref(request.name)
        if request.etag and request.etag != version.pb.etag:
            raise RpcError(
                grpc.StatusCode.ABORTED, f"The etag provided does not match [{version.pb.name}]."
            )
        if version.state == VersionState.DESTROYED:
            raise RpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Secret Version [{version.pb.name}] is in DESTROYED state.",
            )
        ttl = rec.pb.version_destroy_ttl.ToNanoseconds() / 1e9
        if state == VersionState.DESTROYED and ttl <= 0:
            world.destroy(version)
            return copy(version.pb)
        if state == VersionState.DESTROYED:
            # delayed destruction: "The version is disabled … scheduled for permanent
            # destruction at the end of the delay period" (Secret.version_destroy_ttl;
            # https://cloud.google.com/secret-manager/docs/delay-destruction-of-secret-versions)
            version.pb.state = VersionState.DISABLED
            version.pb.scheduled_destroy_time.CopyFrom(world.now(ttl))
            world.watch_version(version)
        else:
            # enabling or disabling a version scheduled for destruction restores it (same page)
            version.pb.state = state
            version.pb.ClearField("scheduled_destroy_time")
        # SecretVersion.etag is the "Etag of the currently stored SecretVersion", and a request
        # naming one "succeeds if it matches the etag of the currently stored secret version
        # object" (google/cloud/secretmanager/v1 resources.proto, service.proto): one read
        # before the write no longer matches; whether a write back to a state read before
        # gives its etag back is not said (option `version_etag`)
        version.pb.etag = world.version_etag(version.pb)
        return copy(version.pb)

    async def enable_secret_version(self, request: Any) -> Message:
        return self._transition(request, VersionState.ENABLED)

    async def disable_secret_version(self, request: Any) -> Message:
        return self._transition(request, VersionState.DISABLED)

    async def destroy_secret_version(self, request: Any) -> Message:
        return self._transition(request, VersionState.DESTROYED)

    async def get_iam_policy(self, request: Any) -> Message:
        policy = self._secret(request.resource).policy
        return iam.for_version(policy, request.options.requested_policy_version)

    async def set_iam_policy(self, request: Any) -> Message:
        rec = self._secret(request.resource)
        iam.check_settable(request.policy)
        if request.policy.etag and request.policy.etag != rec.policy.etag:
            raise RpcError(
                grpc.StatusCode.ABORTED,
                "There were concurrent policy changes. Please retry the whole "
                "read-modify-write with exponential backoff.",
            )
        policy = policy_pb2.Policy()
        policy.CopyFrom(request.policy)
        policy.version = policy.version or 1
        policy.etag = self.core.world.etag(f"{rec.pb.name}:iam").encode()
        rec.policy = policy
        return copy(policy)

    def methods(self) -> list[Method]:
        sm = secretmanager_v1

        def method(
            name: str, request_type: Any, handler: Any, record: Callable[[Any], Any] | None = None
        ) -> Method:
            pb = request_type.pb() if hasattr(request_type, "pb") else request_type
            wrap: Callable[[Any], Any] = (
                record if record is not None else getattr(request_type, "wrap", _as_is)
            )
            return Method(SERVICE, name, pb, handler, wrap)

        return [
            method("ListSecrets", sm.ListSecretsRequest, self.list_secrets),
            method("GetSecret", sm.GetSecretRequest, self.get_secret),
            method("CreateSecret", sm.CreateSecretRequest, self.create_secret),
            method(
                "AddSecretVersion", sm.AddSecretVersionRequest, self.add_secret_version, _redacted
            ),
            method("ListSecretVersions", sm.ListSecretVersionsRequest, self.list_secret_versions),
            method("GetSecretVersion", sm.GetSecretVersionRequest, self.get_secret_version),
            method(
                "AccessSecretVersion", sm.AccessSecretVersionRequest, self.access_secret_version
            ),
            method(
                "EnableSecretVersion", sm.EnableSecretVersionRequest, self.enable_secret_version
            ),
            method(
                "DisableSecretVersion", sm.DisableSecretVersionRequest, self.disable_secret_version
            ),
            method(
                "DestroySecretVersion", sm.DestroySecretVersionRequest, self.destroy_secret_version
            ),
            method("GetIamPolicy", iam_policy_pb2.GetIamPolicyRequest, self.get_iam_policy),
            method("SetIamPolicy", iam_policy_pb2.SetIamPolicyRequest, self.set_iam_policy),
        ]


def _newest_first(item: tuple[SecretKey, SecretRec]) -> tuple[int, int, SecretKey]:
    made = item[1].pb.create_time
    return (-made.seconds, -made.nanos, item[0])


def _as_is(request: Any) -> Any:
    return request


def _redacted(request: Any) -> Any:
    """The AddSecretVersion request as recorded: payload bytes blanked, checksum kept."""
    copy = secretmanager_v1.AddSecretVersionRequest.pb()()
    copy.CopyFrom(request)
    copy.payload.data = b""
    return secretmanager_v1.AddSecretVersionRequest.wrap(copy)
