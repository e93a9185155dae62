"""Review revown31 (failed on main before its fix 312f130): fixown30 (60c7228) makes a plugin
failure an AuthError only when `credfail.refused` recognises the text: an OAuth code at the very
start ("invalid_grant: …", google/oauth2/_client.py `_handle_error_response`), reauth, or an
impersonation 4xx. Workload Identity Federation (`external_account` ADC — what a GitHub Actions
CI job uses with google-github-actions/auth) gets its token from the STS endpoint, whose
refusal google-auth renders differently: google/oauth2/utils.py `handle_error_response` raises
`OAuthError("Error code {error}: {error_description} - {error_uri}", response_body)`; and
google/auth/identity_pool.py raises `RefreshError("File '…' was not found.")` when the OIDC
token file is missing. Before 60c7228 these were AuthErrors (exit 2, hint to fix the
credentials); now they are UNAVAILABLE, retried with back-off, then reported as an outage of
the Cloud Run API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.api_core import exceptions as gexc
from google.auth import exceptions as gauth

from drift.errors import AuthError
from drift.live.calls import translate
from drift.live.credfail import PLUGIN_FAILED
from tests.cliutil import REPO, drift

STS_BODY = json.dumps(
    {
        "error": "invalid_grant",
        "error_description": "The audience in ID Token [https://iam.googleapis.com/projects/1/"
        "locations/global/workloadIdentityPools/gh/providers/gh] does not match the expected "
        "audience.",
    }
)


@pytest.mark.parametrize(
    "raised",
    [
        # google/oauth2/sts.py -> utils.handle_error_response (google-auth 2.x)
        gauth.OAuthError(  # type: ignore[no-untyped-call]
            "Error code invalid_grant: The audience in ID Token [https://iam.googleapis.com/"
            "projects/1/locations/global/workloadIdentityPools/gh/providers/gh] does not match "
            "the expected audience.",
            STS_BODY,
        ),
        gauth.OAuthError(  # type: ignore[no-untyped-call]
            "Error code unauthorized_client: The given credential is rejected by the attribute "
            "condition.",
            json.dumps({"error": "unauthorized_client"}),
        ),
    ],
    ids=["sts-invalid-grant", "sts-attribute-condition"],
)
def test_a_refused_workload_identity_federation_token_is_an_auth_error(
    raised: Exception,
) -> None:
    exc = gexc.ServiceUnavailable(PLUGIN_FAILED + str(raised))  # type: ignore[no-untyped-call]
    got = translate(exc, "GetService", "projects/p/locations/r/services/app")
    # main: ApiError UNAVAILABLE — retried, then "the Cloud Run API is unavailable"
    assert isinstance(got, AuthError), (type(got).__name__, got)


def _wif_credentials(tmp_path: Path, token: Path) -> Path:
    """An `external_account` credentials file as `gcloud iam workload-identity-pools
    create-cred-config --credential-source-file` writes it (google/auth/identity_pool.py)."""
    creds = tmp_path / "wif.json"
    creds.write_text(
        json.dumps(
            {
                "type": "external_account",
                "audience": "//iam.googleapis.com/projects/1/locations/global/"
                "workloadIdentityPools/gh/providers/gh",
                "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
                "token_url": "https://sts.googleapis.com/v1/token",
                "credential_source": {"file": str(token)},
            }
        )
    )
    return creds


@pytest.mark.parametrize("project_env", [{}, {"GOOGLE_CLOUD_PROJECT": "acme-chat-staging"}])
def test_a_missing_oidc_token_file_is_one_refusal_naming_it(
    tmp_path: Path, project_env: dict[str, str]
) -> None:
    """google/auth/identity_pool.py `_FileSupplier.get_subject_token` raises RefreshError("File
    '…' was not found.") inside each call, which gRPC reports as UNAVAILABLE: on main, retried
    as an outage of the Cloud Run API (exit 3). It is the operator's configuration: one
    refusal (exit 2) naming the file and what to do, before any call. Without a project in
    the environment google.auth.default itself refreshes them (external_account.py
    `get_project_id`): on main an "internal error: RefreshError"."""
    token = tmp_path / "github-oidc-token"  # never written
    env = {
        "GOOGLE_APPLICATION_CREDENTIALS": str(_wif_credentials(tmp_path, token)),
        "DRIFT_PROJECT": "acme-chat-staging",
        "DRIFT_CALL_TIMEOUT": "0.5",
        "DRIFT_RETRY_BUDGET": "1",
        **project_env,
    }
    done = drift("check", "staging", env=env, cwd=REPO, timeout=120)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "UNAVAILABLE" not in done.stderr, done.stderr
    said, hint = done.stderr.split("hint:")
    assert str(token) in said and "credential_source.file" in said, done.stderr
    assert "does not exist" in said and "OIDC token" in hint, done.stderr
    assert "internal error" not in done.stderr, done.stderr
    assert done.stderr.count("\n") <= 3, done.stderr  # once, no retries logged


def test_a_token_file_gone_during_the_run_is_refused_not_retried() -> None:
    """The same RefreshError when the file went away after the run began (in a call)."""
    raised = gauth.RefreshError("File '/var/run/oidc/token' was not found.")  # type: ignore[no-untyped-call]
    exc = gexc.ServiceUnavailable(PLUGIN_FAILED + str(raised))  # type: ignore[no-untyped-call]
    got = translate(exc, "GetService", "projects/p/locations/r/services/app")
    assert isinstance(got, AuthError), (type(got).__name__, got)
    assert "/var/run/oidc/token" in got.message and "credential_source.file" in got.message
