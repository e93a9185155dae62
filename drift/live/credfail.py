"""Credentials that cannot be used, said as such: a refresh the token endpoint refused inside a
call (which gRPC reports as UNAVAILABLE; a refusal is no outage to retry), an ADC key file that
is missing or malformed. In words, with the next step: never a Python repr of google-auth's
exception. A token endpoint that could not be reached stays UNAVAILABLE: retried as any."""

from __future__ import annotations

import ast
import json
import os
import re
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
    args = _args(exc) if isinstance(exc, str) else exc.args
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


OAUTH_ERRORS = frozenset(
    {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "access_denied",
    }
)
"""The error codes of an OAuth 2.0 token endpoint's refusal (RFC 6749 §5.2; `access_denied`
of the STS token exchange, RFC 8693 via RFC 6749 §4.1.2.1)."""
REAUTH = "Reauthentication is needed"
"""google.oauth2.reauth: the user's ADC need a new login (a RefreshError of one argument)."""


def refused(detail: str) -> bool:
    """Whether the text gRPC put after PLUGIN_FAILED (`str()` of google-auth's exception: gRPC
    keeps no type name) is the token endpoint refusing the credentials, not a failure to
    reach it. What tells them apart, from google-auth 2.x:
    - a refusal is a RefreshError: `oauth2/_client.py` `_handle_error_response` raises
      `RefreshError("{error}: {error_description}", response_data)` — its text begins with
      an OAuth error code (`OAUTH_ERRORS`: "('invalid_grant: Bad Request', {…})"), or, from
      the STS endpoint of Workload Identity Federation, "Error code invalid_grant: …";
      `oauth2/reauth.py` raises `RefreshError("Reauthentication is needed. …")`;
      `impersonated_credentials.py` raises `RefreshError(_REFRESH_ERROR, response_body)` for
      any status but 200 — a refusal only when the IAM Credentials API's JSON error is a 4xx
      other than 429 (403 PERMISSION_DENIED: the Token Creator role missing);
    - a failure to reach the endpoint is a TransportError (`transport/requests.py`:
      `TransportError(caught_exc)`, "HTTPSConnectionPool(host='oauth2.googleapis.com' …):
      Max retries exceeded … Temporary failure in name resolution"; `compute_engine/
      _metadata.py`: "Failed to retrieve … from the Google Compute Engine metadata service",
      which `compute_engine/credentials.py` wraps as `RefreshError(caught_exc)` with that
      same text), or an error answer of the endpoint without an OAuth code (a 5xx page):
      an outage, retried (`drift.live.calls`), never a reason to log in again."""
    said = words(detail)
    if REAUTH in said:
        return True
    if IMPERSONATION in said:
        return _client_error(detail)
    # `oauth2/utils.py` `handle_error_response` (the STS endpoint of Workload Identity
    # Federation: external_account credentials, GitHub Actions' OIDC) words the same refusal
    # "Error code invalid_grant: …"
    code = said.split(":", 1)[0].strip().removeprefix("Error code ").strip()
    return code in OAUTH_ERRORS


def _args(text: str) -> tuple[Any, ...]:
    """The arguments of the exception whose `str()` is `text` (a RefreshError's is the repr of
    its args tuple), or `(text,)`."""
    try:
        parsed = ast.literal_eval(text) if text.startswith("(") else text
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        parsed = text
    return parsed if isinstance(parsed, tuple) else (text,)


def _client_error(detail: str) -> bool:
    """Whether an impersonation's refusal carries a 4xx but 429 (or no readable status)."""
    parsed = _args(detail)
    body = parsed[1] if len(parsed) > 1 else None
    try:
        error = json.loads(body).get("error") if isinstance(body, str) else None
    except ValueError:
        error = None
    code = error.get("code") if isinstance(error, dict) else None
    return not isinstance(code, int) or (400 <= code < 500 and code != 429)


TOKEN_FILE = re.compile(r"File '(.*)' was not found\.")
"""google/auth/identity_pool.py `_FileSupplier.get_subject_token` (google-auth 2.x,
googleapis/google-auth-library-python): `RefreshError("File '{}' was not found.")` when the
OIDC token file of Workload Identity Federation (`credential_source.file`) does not exist."""
TOKEN_FILE_HINT = (
    "write the OIDC token file before drift runs (in GitHub Actions, google-github-actions/auth "
    "in the same job; on Kubernetes, the projected service account token volume), or point "
    "the credentials file's credential_source.file at it"
)


def token_file_missing(creds: Any, source: str) -> AuthError | None:
    """Workload Identity Federation credentials (`external_account`, google.auth.identity_pool)
    whose OIDC token file (`credential_source.file`, in their public `info`) does not exist:
    the operator's configuration, refused once before any call (google-auth would raise the
    RefreshError inside each call, which gRPC reports as UNAVAILABLE: an outage retried)."""
    info = getattr(creds, "info", None)
    source_of = info.get("credential_source") if isinstance(info, dict) else None
    path = source_of.get("file") if isinstance(source_of, dict) else None
    if not isinstance(path, str) or os.path.exists(path):
        return None
    return _no_token_file(source, path)


def default_refresh_failed(source: str, exc: BaseException) -> AuthError:
    """A RefreshError google.auth.default raised while it refreshed the credentials to find
    their project (Workload Identity Federation, no project in the environment)."""
    said = words(exc)
    if missing := TOKEN_FILE.fullmatch(said):
        return _no_token_file(source, missing.group(1))
    return AuthError(
        f"the credentials ({source}) could not be refreshed: {said}",
        hint=f"{LOGIN}, or fix the credentials file",
    )


def _no_token_file(source: str, path: str) -> AuthError:
    return AuthError(
        f"the Workload Identity Federation credentials ({source}) read their OIDC token from "
        f"{visible(path)} (credential_source.file), which does not exist",
        hint=TOKEN_FILE_HINT,
    )


def refresh_failed(method: str, resource: str, detail: str) -> AuthError | None:
    """The AuthError for a call gRPC ended because the token endpoint refused to refresh the
    credentials (`detail` is the UNAVAILABLE status's message; `refused`), or the OIDC token
    file of Workload Identity Federation is missing (`TOKEN_FILE`), else None."""
    if not detail.startswith(PLUGIN_FAILED):
        return None
    if missing := TOKEN_FILE.fullmatch(words(detail[len(PLUGIN_FAILED) :])):
        return AuthError(
            f"{method} {resource}: the OIDC token file of the Workload Identity Federation "
            f"credentials, {visible(missing.group(1))} (credential_source.file), does not exist",
            hint=TOKEN_FILE_HINT,
        )
    if not refused(detail[len(PLUGIN_FAILED) :]):
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
