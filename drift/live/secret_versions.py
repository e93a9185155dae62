"""A secret version's state as GetSecretVersion answers it, and what a value read says of that
state: a version whose value AccessSecretVersion gave was ENABLED then, whatever the state read
said (`drift.live.secrets` reads its state again, helper-650 F3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drift.errors import ApiError
from drift.fields import enum_name
from drift.live.api import short
from drift.live.normalize import raw
from drift.live.secret_state import SecretVersionInfo, VersionState
from drift.refs import SecretRef

_STATES = {
    "ENABLED": VersionState.ENABLED,
    "DISABLED": VersionState.DISABLED,
    "DESTROYED": VersionState.DESTROYED,
}
_SAID = {
    VersionState.MISSING: "not found",
    VersionState.SECRET_MISSING: "not found (nor its secret)",
}


def _time(message: Any, name: str) -> dt.datetime | None:
    return getattr(message, name).ToDatetime(tzinfo=dt.UTC) if message.HasField(name) else None


def version_info(ref: SecretRef, name: str, version: Any) -> SecretVersionInfo | ApiError:
    """The state of the version `ref` names from GetSecretVersion's answer `version` (to the
    request for `name`); an `ApiError` when its state is one drift cannot judge."""
    pb = raw(version)
    known = _STATES.get(enum_name(pb, "state"))
    if known is None:  # STATE_UNSPECIFIED ("not specified") or a value newer than drift
        said = enum_name(pb, "state") or f"number {pb.state}"
        detail = f"the version's state is {said}, which drift cannot judge"
        return ApiError("GetSecretVersion", name, "INVALID_RESPONSE", detail)
    destroy_at, destroyed, created = (
        _time(pb, f) for f in ("scheduled_destroy_time", "destroy_time", "create_time")
    )
    return SecretVersionInfo(ref, known, short(pb.name), destroy_at, destroyed, created)


def disproved(info: SecretVersionInfo, got: str) -> bool:
    """Whether a value read of the version numbered `got` ("" when its answer named none)
    proves the state read `info` no longer current: AccessSecretVersion gives the value of an
    ENABLED version only (a DISABLED or DESTROYED one "can't be accessed",
    cloud.google.com/secret-manager/docs/disable-secret-version), and of one that exists.
    A state of another version (`latest` rotated between the two reads) says nothing of it."""
    if info.state is VersionState.ENABLED:
        return False
    return info.resolved is None or not got or got == info.resolved


def changed(
    name: str, info: SecretVersionInfo, got: str, again: SecretVersionInfo | ApiError
) -> ApiError:
    """The reference whose state read says `info` but whose value was read (version `got`),
    and whose state read again (`again`) still disagrees: not verified, either way."""
    said = _SAID.get(info.state, info.state.value)
    version = f"version {got}" if got else "it"
    if isinstance(again, ApiError):
        now = f"read again, {again.brief}"
    else:
        now = f"read again, it is {again.state.value}"
    return ApiError(
        "AccessSecretVersion",
        name,
        "CHANGED",
        f"changed while drift read it: GetSecretVersion said {said}, then {version}'s value "
        f"was readable ({now}): run again",
    )
