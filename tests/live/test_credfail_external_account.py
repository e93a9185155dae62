"""Review revown31 (expected to FAIL on main 312f130): fixown30 (60c7228) makes a plugin
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

import pytest
from google.api_core import exceptions as gexc
from google.auth import exceptions as gauth

from drift.errors import AuthError
from drift.live.calls import translate
from drift.live.credfail import PLUGIN_FAILED

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
