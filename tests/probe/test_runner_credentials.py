"""A probe never sends the CI runner's or Google's own credentials (`drift.runnervars`): a
profile edited in a pull request names both the variables a probe sends and (its `project:`)
whose host receives them, so `${ACTIONS_ID_TOKEN_REQUEST_TOKEN}` would hand the job's OIDC
request token to a service the PR's author owns (revattacker 3). Refused at the profile's
file:line by `profiles validate` and every command that loads it, and again when the probe is
built; a test credential mapped in under its own name (`${STAGING_TEST_JWT}`, SPEC) is sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import ProbeConfigError, ProfileError
from drift.probe.client import probe
from drift.probe.expand import build_request
from drift.profiles.loader import load_profile, validate_directory
from drift.runnervars import runner_credential
from tests.cliutil import drift
from tests.probe.helpers import (
    accept_key,
    read_request,
    run,
    spec,
    switching_protocols,
    target,
    tcp_server,
)

CI_TOKEN = "ghs-oidc-request-token-5f1e2d"
HEAD = (
    "project: attacker-proj\nregion: us-central1\nservices:\n  x:\n    probe:\n"
    "      websocket: /ws\n"
)


def test_a_probe_does_not_send_the_runners_oidc_request_token() -> None:
    """revattacker's repro: a raw TCP "attacker service" receives what the probe sends."""
    seen: dict[str, str] = {}

    async def attacker(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        seen.update(await read_request(reader))
        writer.write(switching_protocols(accept_key(seen["sec-websocket-key"])))
        await writer.drain()
        await stop.wait()

    refused: list[str] = []

    async def go() -> None:
        async with tcp_server(attacker) as url:
            spec_target = target(
                url, "/ws", headers=(("X-Trace", "${ACTIONS_ID_TOKEN_REQUEST_TOKEN}"),)
            )
            environ = {
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": CI_TOKEN,
                "ACTIONS_ID_TOKEN_REQUEST_URL": "https://pipelines.actions.githubusercontent.com/x",
            }
            try:
                await probe(spec_target, environ=environ)
            except ProbeConfigError as exc:
                refused.append(str(exc))

    run(go())
    assert CI_TOKEN not in seen.values(), f"sent to the probed host: {seen.get('x-trace')}"
    assert refused and "ACTIONS_ID_TOKEN_REQUEST_TOKEN" in refused[0], refused
    assert CI_TOKEN not in refused[0]


@pytest.mark.parametrize(
    "block",
    [
        '      headers: {X-T: "${ACTIONS_ID_TOKEN_REQUEST_TOKEN}"}\n',
        '      subprotocols: ["jwt.${GITHUB_TOKEN}"]\n',
        '      send: "${ACTIONS_RUNTIME_TOKEN}"\n',
        '      headers: {X-K: "${CLOUDSDK_AUTH_ACCESS_TOKEN}"}\n',
        '      headers: {X-K: "${google_application_credentials}"}\n',
    ],
)
def test_a_profile_naming_a_runner_credential_is_refused_at_its_line(
    tmp_path: Path, block: str
) -> None:
    (tmp_path / "x.yaml").write_text(HEAD + block)
    _, problems = validate_directory(tmp_path)
    with pytest.raises(ProfileError) as loading:
        load_profile(tmp_path, "x")
    (problem,) = problems
    assert (problem.line, str(problem)) == (7, str(loading.value.problems[0]))
    assert "the CI job's own credential" in problem.message


def test_the_path_names_it_at_its_line_and_the_cli_exits_2(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(HEAD.replace("/ws", "/ws?t=${ACTIONS_RUNTIME_TOKEN}"))
    done = drift("profiles", "validate", "--profiles", str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "x.yaml:6" in out and "${ACTIONS_RUNTIME_TOKEN}" in out, out
    assert "Traceback" not in out


def test_built_probes_refuse_it_even_when_unset_and_send_a_test_credential() -> None:
    with pytest.raises(ProbeConfigError, match=r"\$\{GH_TOKEN\} is the CI job's own credential"):
        build_request(spec("/ws", headers=(("X-T", "${GH_TOKEN}"),)), {}, None)
    request = build_request(
        spec("/ws", subprotocols=("jwt.${STAGING_TEST_JWT}",)), {"STAGING_TEST_JWT": "t0k"}, None
    )
    assert request.subprotocols == ["jwt.t0k"]


def test_which_names_are_the_runners() -> None:
    for name in ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_CACHE_URL", "GOOGLE_GHA_CREDS_PATH"):
        assert runner_credential(name), name
    for name in ("STAGING_TEST_JWT", "RUNNER_TEMP", "GITHUB_SHA", "WS_TOKEN", "ACTIONSX"):
        assert not runner_credential(name), name


@pytest.mark.parametrize(
    "name",
    [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "ARM_CLIENT_SECRET",
        "ARM_OIDC_TOKEN",
        "AZURE_CLIENT_SECRET",
        "azure_client_secret",
    ],
)
def test_a_probe_never_names_the_jobs_other_cloud_credentials(name: str) -> None:
    """aws-actions/configure-aws-credentials exports AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
    and AWS_SESSION_TOKEN into the env of every later step of the job, and terraform's azurerm
    workflows set ARM_CLIENT_SECRET (or AZURE_CLIENT_SECRET) at job level: in a multi-cloud
    deploy workflow a profile edited in a pull request could name them (revown35 F4)."""
    assert runner_credential(name)


def test_a_cloud_variable_that_is_no_credential_is_sent() -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "ARM_TENANT_ID", "AZURE_CLIENT_ID"):
        assert not runner_credential(name), name
