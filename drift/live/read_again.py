"""A secret's IAM policy, or a project's, folder's or organisation's, and a version's state
read again to confirm a secret finding (`drift.live.held_still`): why each cannot be taken to
have held still since drift first read it ("" when it did), or the refusal of its read again
(`Refused`) and the permission it needs; a workload's refusal is told alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift.errors import ApiError
from drift.fields import enum_name
from drift.live.api import attempt, short
from drift.live.normalize import raw
from drift.live.outages import Api
from drift.live.secret_state import SecretPolicy, SecretVersionInfo, VersionState
from drift.live.session import Session


@dataclass(frozen=True)
class Refused:
    """A read again that was refused (PERMISSION_DENIED): no sign the reads were not of one
    moment, and none that they were. Its finding is kept, as read, with a note saying so
    (`drift.live.held_still`): "run again" would meet the same refusal every run (a custom
    role with run.services.list but not run.services.get never saw a listed service's secret
    finding: helper-657 LOW/MEDIUM-3)."""

    said: str
    """What could not be read again, the refused call and the permission it needs."""


Said = str | Refused
"""Why a read cannot be taken to have held still ("" when it did), or its refusal."""


def is_refusal(exc: ApiError) -> bool:
    """A refusal for want of a permission (not an API disabled since, which is no permission)."""
    return exc.status == "PERMISSION_DENIED" and not exc.disabled


def needs(exc: ApiError) -> str:
    """`exc`'s brief and the permission its call needs: Cloud Run's `run.services.get`,
    `run.jobs.list`, `run.workerpools.get` (cloud.google.com/run/docs/reference/iam/permissions),
    Secret Manager's `secretmanager.versions.get`, `secretmanager.secrets.getIamPolicy`
    (cloud.google.com/iam/docs/roles-permissions/secretmanager), Resource Manager's
    `resourcemanager.projects.getIamPolicy` (folders, organizations alike)."""
    call = exc.call
    if call == "GetIamPolicy":
        kind = exc.resource.split("/", 1)[0] if "/secrets/" not in exc.resource else "secrets"
        api = "secretmanager" if kind == "secrets" else "resourcemanager"
        return f"{exc.brief}, needs {api}.{kind}.getIamPolicy"
    if call == "GetSecretVersion":
        return f"{exc.brief}, needs secretmanager.versions.get"
    verb = "get" if call.startswith("Get") else "list"
    noun = call.removeprefix("Get").removeprefix("List").lower().removesuffix("s")
    return f"{exc.brief}, needs run.{noun}s.{verb}"


async def policy_again(resource: str, etag: bytes, what: str, session: Session) -> Said:
    """Why a policy (`what`: the secret's, `secret s`, or a project's, folder's or
    organisation's a verdict consulted, its resource) cannot be taken to have held still since
    it was read: another etag now, or it cannot be read again; empty when it held still."""
    # as it was read (`drift.live.secrets`, `drift.live.iam`): conditional bindings come back
    # faithfully only with requested_policy_version 3 (google/iam/v1/options.proto)
    request = {"resource": resource, "options": {"requested_policy_version": 3}}
    api: Api = "secrets" if "/secrets/" in resource else "resources"
    if api == "secrets":
        client: Any = session.clients.secrets
    else:
        client = session.clients.resource_manager(resource.split("/", 1)[0])
    get = attempt(client.get_iam_policy, request=request)
    try:
        now = await session.runner.call(api, "GetIamPolicy", resource, get)
    except ApiError as exc:
        if is_refusal(exc):
            return Refused(f"the IAM policy of {what} could not be read again ({needs(exc)})")
        return f"the IAM policy of {what} could not be read again ({exc.brief})"
    if SecretPolicy.stamp(now) == etag:
        return ""
    # Policy.etag "is used for optimistic concurrency control as a way to help prevent
    # simultaneous updates of a policy from overwriting each other" (google/iam/v1/policy.proto):
    # a policy written since the first read answers another one
    return f"the IAM policy of {what} changed while drift read it (another etag)"


async def version_again(name: str, info: SecretVersionInfo, secret: str, session: Session) -> Said:
    """Why a version's state read again is not the one read first: another state (or
    version, for `latest` or an alias) now, or it cannot be read again; empty when it reads
    as before (which rules out no write between: a moment of its own, see below)."""
    get = attempt(session.clients.secrets.get_secret_version, name=name)
    was = _said(info.state.value, info.resolved, info.ref.version)
    try:
        pb = raw(await session.runner.call("secrets", "GetSecretVersion", name, get))
    except ApiError as exc:
        if exc.status == "NOT_FOUND" and info.state in GONE:
            return ""  # not there before, not there now
        if is_refusal(exc):
            return Refused(
                f"version {info.ref.version} of {secret} could not be read again ({needs(exc)})"
            )
        if exc.status != "NOT_FOUND":
            return f"version {info.ref.version} of {secret} could not be read again ({exc.brief})"
        now = "MISSING"
    else:
        # the same state now need not mean no write since (enabled, then disabled again): its
        # etag is only "Etag of the currently stored SecretVersion" (resources.proto), not
        # said to move on a write back to a state it had; this read counts at its own moment,
        # which the workload's read again, made after it, brackets (`drift.live.held_still`)
        now = _said(enum_name(pb, "state"), short(pb.name), info.ref.version)
    if now == was:
        return ""
    return f"version {info.ref.version} of {secret} changed while drift read it ({was} → {now})"


GONE = frozenset({VersionState.MISSING, VersionState.SECRET_MISSING})


def _said(state: str, resolved: str | None, version: str) -> str:
    """A version's state as a read answered it: `DISABLED`, or `DISABLED (version 2)` where
    `latest` or an alias named it."""
    if state == VersionState.SECRET_MISSING.value:
        state = VersionState.MISSING.value
    return f"{state} (version {resolved})" if resolved and resolved != version else state
