"""Credentials that cannot be used, said as such: a refresh that failed inside a call (which
gRPC reports as UNAVAILABLE, never an outage to retry), an ADC key file that is missing or
malformed. In words, with the next step: never a Python repr of google-auth's exception."""

from __future__ import annotations

import ast
import json
import os
from typing import Any

from drift.errors import AuthError
from drift.textsafe import visible

PLUGIN_FAILED = "Getting metadata from plugin failed with error: "
"""How gRPC ends a call whose call-credentials plugin raised (google-auth refreshes the token
in `google.auth.transport.grpc.AuthMetadataPlugin`): status UNAVAILABLE, these words, then
`str()` of the exception (grpc/grpc#19186, #14461): a RefreshError of revoked or expired ADC
(`invalid_grant`, "Reauthentication is needed"), of a refused impersonation, or a
TransportError when the token endpoint could not be reached."""
IMPERSONATION = "Unable to acquire impersonated credentials"
"""google.auth.impersonated_credentials `_REFRESH_ERROR`: the IAM Credentials API refused
generateAccessToken (the caller lacks iam.serviceAccounts.getAccessToken on the account)."""
LOGIN = "run `gcloud auth application-default login`"
TOKEN_CREATOR = (
    "with --impersonate-service-account SA, the caller needs roles/iam.serviceAccountTokenCreator "
    "on SA (https://cloud.google.com/iam/docs/service-account-permissions)"
)


def words(exc: BaseException | str) -> str:
    """What a google-auth exception says, without its repr: `RefreshError(message, response)`
    prints as a tuple; its message is the first argument, and an error the response carries
    (the IAM Credentials API's JSON `error.message`) is added."""
    args: tuple[Any, ...]
    if isinstance(exc, str):
        try:
            parsed = ast.literal_eval(exc) if exc.startswith("(") else exc
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            parsed = exc
        args = parsed if isinstance(parsed, tuple) else (exc,)
    else:
        args = exc.args
    said = [a for a in args[:1] if isinstance(a, str)] or [str(exc)]
    for extra in args[1:2]:
        said += [m for m in [_server_message(extra)] if m and m not in said[0]]
    return visible(": ".join(said))[:300]


def _server_message(response: object) -> str:
    if isinstance(response, str):
        try:
            response = json.loads(response)
        except ValueError:
            return ""
    error = response.get("error") if isinstance(response, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return " ".join(message.split()) if isinstance(message, str) else ""


def refresh_failed(method: str, resource: str, detail: str) -> AuthError | None:
    """The AuthError for a call gRPC ended because the credentials could not be refreshed
    (`detail` is the status's message), else None."""
    if not detail.startswith(PLUGIN_FAILED):
        return None
    said = words(detail[len(PLUGIN_FAILED) :])
    first = TOKEN_CREATOR if IMPERSONATION in said else LOGIN
    other = LOGIN if IMPERSONATION in said else TOKEN_CREATOR
    return AuthError(
        f"{method} {resource}: the credentials could not be refreshed: {said}",
        hint=f"{first}; or, {other}",
    )


def key_file_unusable(variable: str, path: str, exc: BaseException) -> AuthError:
    """`variable` (GOOGLE_APPLICATION_CREDENTIALS) names a file google-auth cannot load: said
    with the variable, what is wrong, and the fix."""
    cause = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], Exception) else None
    why = words(cause) if cause is not None else words(exc)
    wrong = "does not exist" if not os.path.exists(path) else f"cannot be used: {why}"
    return AuthError(
        f"{variable} names {visible(path)}, which {wrong}",
        hint=f"point {variable} at a valid service account key file, or unset it and {LOGIN}",
    )
