"""Credentials that cannot be used, as the operator reads it (SPEC "Exit codes": 2 for an
authentication error; errors name the thing and what to do next, never a Python repr):
revoked or expired ADC and a refused impersonation, which gRPC ends as UNAVAILABLE
(grpc/grpc#19186), and a GOOGLE_APPLICATION_CREDENTIALS key file missing or malformed."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import REPO, drift, python_module

API = "projects/acme-chat-staging/locations/us-central1/services/api"


# --- M1: revoked / expired ADC (or a refused impersonation) reads as a server outage ------


class _RevokedToken(BaseHTTPRequestHandler):
    """Google's token endpoint answering a revoked or expired refresh token (RFC 6749 5.2)."""

    def do_POST(self) -> None:  # noqa: N802
        body = json.dumps(
            {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def token_endpoint() -> Iterator[str]:
    http = HTTPServer(("127.0.0.1", 0), _RevokedToken)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}/token"
    http.shutdown()
    http.server_close()


async def _get_service_with_revoked_adc(token_uri: str) -> BaseException:
    """GetService through the channel google-api-core builds for real credentials (an
    AuthMetadataPlugin on a secure channel; local channel credentials instead of TLS so nothing
    leaves the machine), with ADC whose refresh token was revoked."""
    import google.auth.transport.grpc as auth_grpc
    import google.auth.transport.requests as auth_requests
    import grpc
    from google.cloud import run_v2
    from google.cloud.run_v2.services.services.transports import ServicesGrpcAsyncIOTransport
    from google.oauth2.credentials import Credentials

    creds = Credentials(  # type: ignore[no-untyped-call]
        None,
        refresh_token="1//revoked",
        client_id="x.apps.googleusercontent.com",
        client_secret="s",
        token_uri=token_uri,
    )
    server = grpc.aio.server()
    port = server.add_secure_port("127.0.0.1:0", grpc.local_server_credentials())
    await server.start()
    plugin = auth_grpc.AuthMetadataPlugin(creds, auth_requests.Request())  # type: ignore[no-untyped-call]
    channel = grpc.aio.secure_channel(
        f"127.0.0.1:{port}",
        grpc.composite_channel_credentials(
            grpc.local_channel_credentials(), grpc.metadata_call_credentials(plugin)
        ),
    )
    client = run_v2.ServicesAsyncClient(transport=ServicesGrpcAsyncIOTransport(channel=channel))
    try:
        await client.get_service(name=API, retry=None, timeout=10)
    except Exception as exc:  # what the client raises, handed to drift's boundary
        return exc
    finally:
        await channel.close()
        await server.stop(None)
    raise AssertionError("the call succeeded")


def test_m1_revoked_adc_is_an_auth_error_not_a_server_outage(token_endpoint: str) -> None:
    from drift.errors import AuthError, ExitCode
    from drift.live.calls import translate

    raised = asyncio.run(_get_service_with_revoked_adc(token_endpoint))
    error = translate(raised, "GetService", API)
    text = error.diagnostics()
    # On main: ApiError UNAVAILABLE ("Getting metadata from plugin failed with error:
    # ('invalid_grant: …', {'error': 'invalid_grant', …})"): retried, every item "could not
    # verify", hint "the service was unavailable after retries: run again", exit 3.
    assert isinstance(error, AuthError), text
    assert error.exit_code is ExitCode.USAGE
    assert "application-default login" in text
    assert "{'error'" not in text and "('invalid_grant" not in text, text  # no Python repr


# --- M2: a GOOGLE_APPLICATION_CREDENTIALS file that is missing or malformed ---------------


def _no_emulator_env(key: Path) -> dict[str, str]:
    return {"GOOGLE_APPLICATION_CREDENTIALS": str(key), "DRIFT_PROJECT": "acme-chat-staging"}


def test_m2_malformed_key_file_one_line_no_repr_right_advice(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    key.write_text('{"type": "service_account"}')  # client_email, token_uri, … missing
    done = drift("check", "staging", env=_no_emulator_env(key), cwd=REPO)
    assert done.returncode == 2
    # On main: "no Application Default Credentials: ('Failed to load service account
    # credentials from …/key.json', MalformedError('Service account info was not in the
    # expected format, missing fields client_email, token_uri.'))", then "hint: … or set
    # GOOGLE_APPLICATION_CREDENTIALS to a service account key file" — it is set.
    assert "MalformedError(" not in done.stderr and "('Failed" not in done.stderr, done.stderr
    assert "GOOGLE_APPLICATION_CREDENTIALS" in done.stderr.split("hint:")[0], done.stderr


def test_m2_missing_key_file_says_the_variable_points_nowhere(tmp_path: Path) -> None:
    key = tmp_path / "gone.json"
    done = drift("check", "staging", env=_no_emulator_env(key), cwd=REPO)
    assert done.returncode == 2
    # On main: "no Application Default Credentials: File …/gone.json was not found." +
    # "hint: run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS
    # to a service account key file": nothing says the variable is what points there.
    assert "GOOGLE_APPLICATION_CREDENTIALS" in done.stderr.split("hint:")[0], done.stderr


def test_a_refused_impersonation_names_the_token_creator_role() -> None:
    from drift.errors import AuthError
    from drift.live.credfail import PLUGIN_FAILED, refresh_failed

    # google.auth.impersonated_credentials: RefreshError(_REFRESH_ERROR, response_body), the
    # IAM Credentials API's JSON error as the body; gRPC puts str() of it after PLUGIN_FAILED
    body = json.dumps(
        {
            "error": {
                "code": 403,
                "message": "Permission 'iam.serviceAccounts.getAccessToken' denied on "
                "resource (or it may not exist).",
                "status": "PERMISSION_DENIED",
            }
        }
    )
    detail = PLUGIN_FAILED + str(("Unable to acquire impersonated credentials", body))
    error = refresh_failed("GetService", API, detail)
    assert isinstance(error, AuthError)
    text = error.diagnostics()
    assert "iam.serviceAccounts.getAccessToken" in text and "{" not in text, text
    assert text.split("hint: ")[1].startswith("with --impersonate-service-account SA"), text
    assert "roles/iam.serviceAccountTokenCreator" in text


# --- the environment the Google libraries read (reviewer revenv) ------------------------------

NO_EMULATOR = {
    "CLOUD_RUN_EMULATOR_HOST": "",
    "SECRET_MANAGER_EMULATOR_HOST": "",
    "RESOURCE_MANAGER_EMULATOR_HOST": "",
}


@functools.cache
def _pem() -> str:
    """One RSA key for the module's tests (a 2048-bit key costs 50–200 ms of CPU to make)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _fake_key(path: Path, universe: str | None = None) -> Path:
    """A service account key file of no real account (a fresh RSA key): google-auth loads it
    without the network."""
    pem = _pem()
    info = {
        "type": "service_account",
        "project_id": "acme-chat-staging",
        "private_key_id": "0",
        "private_key": pem,
        "client_email": "drift-ci@acme-chat-staging.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    if universe:
        info["universe_domain"] = universe
    path.write_text(json.dumps(info))
    return path


def _built_for(monkeypatch: pytest.MonkeyPatch, key: Path, universe: str | None) -> str:
    """The Cloud Run endpoint of the clients `make_clients` builds with `key` and
    GOOGLE_CLOUD_UNIVERSE_DOMAIN=`universe` (unset: None), in-process (no call is made)."""
    from drift.live.clients import make_clients

    for name in NO_EMULATOR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    if universe is None:
        monkeypatch.delenv("GOOGLE_CLOUD_UNIVERSE_DOMAIN", raising=False)
    else:
        monkeypatch.setenv("GOOGLE_CLOUD_UNIVERSE_DOMAIN", universe)

    async def build() -> str:
        clients = make_clients()
        try:
            return str(clients.services.api_endpoint)
        finally:
            await clients.close()

    return asyncio.run(build())


# E3: GOOGLE_CLOUD_UNIVERSE_DOMAIN=googleapis.co (a typo, or a stale value from a sovereign
# cloud job) with googleapis.com credentials: the clients called run.googleapis.co and
# secretmanager.googleapis.co with the credentials' token (the generated clients' own check is
# disabled, b/349488459; google-api-core's UniverseMismatchError is what it used to say).
def test_universe_domain_other_than_the_credentials_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drift.errors import UsageError

    key = _fake_key(tmp_path / "key.json")
    with pytest.raises(UsageError) as caught:
        endpoint = _built_for(monkeypatch, key, "googleapis.co")
        pytest.fail(f"clients built for {endpoint} with googleapis.com credentials")
    assert "GOOGLE_CLOUD_UNIVERSE_DOMAIN names the universe domain googleapis.co" in str(
        caught.value
    )
    assert "belong to googleapis.com" in str(caught.value)


def test_credentials_of_another_universe_are_not_sent_to_googleapis_com(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other way round: a key of a sovereign cloud's universe, the variable unset."""
    from drift.errors import UsageError

    key = _fake_key(tmp_path / "key.json", universe="example-sovereign.com")
    with pytest.raises(UsageError, match="GOOGLE_CLOUD_UNIVERSE_DOMAIN is not set") as caught:
        _built_for(monkeypatch, key, None)
    assert "GOOGLE_CLOUD_UNIVERSE_DOMAIN=example-sovereign.com" in str(caught.value.hint)


def test_universe_domain_of_the_credentials_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _fake_key(tmp_path / "key.json", universe="example-sovereign.com")
    # unpadded: google-cloud-run strips the variable only in later releases than its floor
    # (0.15 builds `run. example-sovereign.com` from " example-sovereign.com")
    assert _built_for(monkeypatch, key, "example-sovereign.com") == ("run.example-sovereign.com")
    assert _built_for(monkeypatch, _fake_key(tmp_path / "k2.json"), None) == ("run.googleapis.com")


def _storage_for(monkeypatch: pytest.MonkeyPatch, key: Path, universe: str | None) -> str:
    """The universe domain of the Cloud Storage client the session makes with `key` and
    GOOGLE_CLOUD_UNIVERSE_DOMAIN=`universe` (a gs:// report or baseline), no call made."""
    from drift.live.clients import make_clients

    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    _built_for(monkeypatch, key, universe)  # the same environment, checked the same way

    async def build() -> str:
        clients = make_clients()
        try:
            return str(clients.storage().universe_domain)
        finally:
            await clients.close()

    return asyncio.run(build())


# revown33 F1: google-cloud-storage reads no GOOGLE_CLOUD_UNIVERSE_DOMAIN (client_options
# only): with the setup E3's hint asks for, a gs:// --output/--baseline made a googleapis.com
# client, whose ValueError ("The configured universe domain (googleapis.com) does not match
# ...") ended the run as `internal error` after the whole check.
def test_storage_client_is_for_the_universe_the_check_held_the_credentials_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _fake_key(tmp_path / "key.json", universe="example-sovereign.com")
    assert _storage_for(monkeypatch, key, "example-sovereign.com ") == "example-sovereign.com"
    assert _storage_for(monkeypatch, _fake_key(tmp_path / "k2.json"), None) == "googleapis.com"


def test_a_storage_client_the_library_refuses_is_a_usage_error_not_an_internal_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mTLS outside googleapis.com: google-cloud-storage's own ValueError, said as a usage
    error naming the universe (on main: the universe mismatch's ValueError, as is)."""
    from drift.errors import UsageError

    key = _fake_key(tmp_path / "key.json", universe="example-sovereign.com")
    monkeypatch.setenv("GOOGLE_API_USE_CLIENT_CERTIFICATE", "true")
    with pytest.raises(UsageError) as caught:
        _storage_for(monkeypatch, key, "example-sovereign.com")
    said = caught.value.diagnostics()
    assert said.startswith(
        "the Cloud Storage client refuses this setup "
        "(GOOGLE_CLOUD_UNIVERSE_DOMAIN=example-sovereign.com): "
    ), said
    assert "GOOGLE_API_USE_CLIENT_CERTIFICATE" in said
    assert "name a local file instead of gs://" in said


# E1: GOOGLE_APPLICATION_CREDENTIALS naming the directory the key was mounted in ended as
# `internal error: IsADirectoryError` (google-auth's open() raises the OSError as is).
def test_key_file_variable_naming_a_directory_is_one_clear_message(tmp_path: Path) -> None:
    env = {**NO_EMULATOR, "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path), "HOME": str(tmp_path)}
    result = drift("check", "staging", "--no-history", env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"drift: error: GOOGLE_APPLICATION_CREDENTIALS names {tmp_path}, which cannot be used: "
        "it is a directory\n"
    ), result.stderr


# E2: the variables every client reads in its constructor, whatever the transport (so against
# the sandbox too): `internal error: EmptyUniverseError: Universe Domain cannot be an empty
# string.` / `internal error: MutualTLSChannelError: …`, or taken for false without a word.
@pytest.mark.parametrize(
    ("name", "value"),
    [
        # `GOOGLE_CLOUD_UNIVERSE_DOMAIN: ${{ vars.UNIVERSE }}` with the variable undefined
        ("GOOGLE_CLOUD_UNIVERSE_DOMAIN", ""),
        ("GOOGLE_API_USE_MTLS_ENDPOINT", "yes"),
        ("GOOGLE_API_USE_MTLS_ENDPOINT", ""),
        ("GOOGLE_API_USE_CLIENT_CERTIFICATE", "yes"),
    ],
)
def test_malformed_google_variable_is_a_usage_error_naming_it(
    sandbox_env: dict[str, str], name: str, value: str
) -> None:
    result = drift("check", "staging", "--no-history", env={**sandbox_env, name: value})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"drift: error: {name} is "), result.stderr
    assert "internal error" not in result.stderr, result.stderr


# E5: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=/etc/ssl/certs (a directory, as SSL_CERT_DIR takes one;
# gRPC wants a PEM file) aborted gRPC core at the first secure channel: SIGABRT, nothing on
# stderr, no report; a file of no certificate failed every handshake. A process each (gRPC
# reads the variable once per process, at its first secure channel): forked from the zygote,
# which has imported gRPC but made no channel (with drift's check skipped, the zygote's run and
# a fresh one fail alike: gRPC's "error loading file … directory", "Could not load any root
# certificate", exit 3).
@pytest.mark.parametrize("roots", ["directory", "not-pem.txt"])
def test_ssl_roots_variable_naming_a_directory_is_not_a_silent_abort(
    tmp_path: Path, roots: str
) -> None:
    path = tmp_path / roots
    if roots == "directory":
        path.mkdir()
    else:
        path.write_text("not a certificate\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")},
        **NO_EMULATOR,
        "PYTHONPATH": str(REPO),
        "NO_COLOR": "1",
        "HOME": str(tmp_path),
        "GOOGLE_APPLICATION_CREDENTIALS": str(_fake_key(tmp_path / "key.json")),
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(path),
    }
    env["DRIFT_RETRY_BUDGET"] = "1"  # main retried the failing handshakes
    args = ("check", "staging", "--no-history", "--service", "api")
    fork = os.environ.get("DRIFT_TESTS_FORK", "1") != "0"
    result = python_module("drift", *args, env=env, fork=fork, timeout=120)
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr!r}"
    why = "is a directory" if roots == "directory" else "holds no PEM certificate"
    assert result.stderr.startswith(
        f"drift: error: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH names {path}, which {why}"
    ), result.stderr
