"""Regression (found by review revown30): drift/live/credfail.py `refresh_failed` turns
every status whose message starts with gRPC's "Getting metadata from plugin failed with
error: " into an AuthError (exit 2, not retried) with a re-login hint — also a token endpoint
that could not be reached for a moment (google-auth's TransportError, which its own docstring
in credfail.PLUGIN_FAILED lists), and also a status that is not UNAVAILABLE."""

from __future__ import annotations

import json

from google.api_core import exceptions as gexc

from drift.errors import ApiError
from drift.live.calls import translate
from drift.live.credfail import PLUGIN_FAILED

BLIP = (
    "HTTPSConnectionPool(host='oauth2.googleapis.com', port=443): Max retries exceeded with "
    "url: /token (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object "
    "at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name "
    "resolution'))"
)


def test_an_unreachable_token_endpoint_is_an_outage_to_retry_not_a_relogin() -> None:
    exc = gexc.ServiceUnavailable(PLUGIN_FAILED + BLIP)  # type: ignore[no-untyped-call]
    got = translate(exc, "GetService", "projects/p/locations/r/services/app")
    # main: AuthError "the credentials could not be refreshed: HTTPSConnectionPool…",
    # hint "run `gcloud auth application-default login`" — exit 2, the whole check stops
    assert isinstance(got, ApiError) and got.status == "UNAVAILABLE", (got, got.hint)


def test_only_unavailable_carries_the_plugin_failure() -> None:
    exc = gexc.FailedPrecondition(PLUGIN_FAILED + "('invalid_grant: Bad Request', {})")  # type: ignore[no-untyped-call]
    got = translate(exc, "GetService", "projects/p/locations/r/services/app")
    # gRPC's plugin failure is always UNAVAILABLE (grpc/grpc#19186); a server's own
    # FAILED_PRECONDITION is the server's word
    assert isinstance(got, ApiError) and got.status == "FAILED_PRECONDITION", got


def test_what_the_token_endpoint_refuses_and_what_it_could_not_answer() -> None:
    from drift.live.credfail import refused

    def impersonation(code: int, status: str) -> str:
        body = json.dumps({"error": {"code": code, "message": "m", "status": status}})
        return str(("Unable to acquire impersonated credentials", body))

    assert refused(str(("invalid_grant: Bad Request", {"error": "invalid_grant"})))
    assert refused("Reauthentication is needed. Please run `gcloud auth application-default login`")
    assert refused(impersonation(403, "PERMISSION_DENIED"))
    assert not refused(impersonation(503, "UNAVAILABLE"))
    assert not refused(impersonation(429, "RESOURCE_EXHAUSTED"))
    assert not refused(BLIP)
    # google.auth.compute_engine: RefreshError(TransportError(…)), the metadata server's words
    assert not refused(
        "Failed to retrieve http://metadata.google.internal/computeMetadata/v1/instance/"
        "service-accounts/default/token from the Google Compute Engine metadata service. "
        "Status: 500 Response:\nb'internal'"
    )
