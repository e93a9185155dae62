"""Values of a Knative document typed as the v1 API holds them: a secret reference's version
(required), a count (an int32, never a YAML boolean)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictStr

from drift.yamlfile import wrong_type

VERSION_REQUIRED = "the secret version is required: 'latest', a version number or an alias"


def _version(value: str | None) -> str | None:
    """A secret reference names its version: the v1 SecretKeySelector.key is "Required. A
    Cloud Secret Manager secret version" (Cloud Run Admin API v1 reference, the
    `secretKeyRef` gcloud sends), and a volume item's key is too ("When items are defined,
    they must specify a path and a version", SecretVolumeSource.items, k8s_min.proto). Absent
    or null (`key:` with nothing after it): a file gcloud cannot deploy, refused at its line,
    never read as `latest` nor as a version named "None"."""
    if value is None:
        raise ValueError(VERSION_REQUIRED)
    return value


Version = Annotated[StrictStr | None, AfterValidator(_version), Field(validate_default=True)]


def _not_flag(value: Any) -> Any:
    """A YAML boolean is no count (the lax int check took `true` as 1: revman91 F6)."""
    if isinstance(value, bool):
        raise ValueError(wrong_type("an integer", int, value))
    return value


Int32 = Annotated[int, BeforeValidator(_not_flag), Field(ge=0, le=2**31 - 1)]
"""A count or a number of seconds as the API keeps it (int32 fields; a task's timeout is a
Duration, far larger, but Cloud Run's longest is 168 h): a larger one is refused at its line,
never an overflow in the conversion (revtime: `timeoutSeconds: 99999999999999999`)."""
