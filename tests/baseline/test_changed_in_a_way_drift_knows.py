"""A drift that changed in a way drift knows is `updated` against a baseline, never
`unchanged` (revbase80): one repaired and put back by a later deploy (its `since` names a
later revision than the baseline's), and `latest` standing for another DISABLED version (what
fails: the version). The same drift carried by a deploy that changes something else stays
`unchanged`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc
import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

PROJECT = "acme-chat-staging"
WRONG = "https://evil.example"

pytestmark = pytest.mark.sandbox


def _check(sandbox: Sandbox, *args: str) -> Any:
    return drift("check", "staging", "--format", "json", *args, env=sandbox.environ())


def _finding(done: Any, target: str) -> dict[str, Any]:
    findings = json.loads(done.stdout)["findings"]
    (found,) = [f for f in findings if f["target"] == target and f["service"] == "api"]
    return found


def test_a_drift_repaired_and_put_back_by_a_later_deploy_is_updated(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    last = tmp_path / "last.json"
    sandbox.set_env(PROJECT, "api", "CORS_ORIGINS", WRONG)
    assert _check(sandbox, "--output", str(last)).returncode == 1
    baseline = ["--baseline", str(last), "--fail-on-new"]
    sandbox.set_env(PROJECT, "api", "FEATURE_FLAGS", "beta")  # a deploy that carries it
    carried = _check(sandbox, *baseline)
    assert _finding(carried, "env.CORS_ORIGINS")["baseline"] == "unchanged"
    assert carried.returncode == 0, carried.stderr

    sandbox.set_env(PROJECT, "api", "CORS_ORIGINS", "https://staging.acme-chat.dev")  # repaired
    sandbox.act_as("mallory@acme.example")
    sandbox.set_env(PROJECT, "api", "CORS_ORIGINS", WRONG)  # and put back
    again = _check(sandbox, *baseline)
    found = _finding(again, "env.CORS_ORIGINS")
    assert found["since"]["creator"] == "mallory@acme.example", found["since"]
    assert found["baseline"] == "updated", found
    assert again.returncode == 1, again.stderr


def _versions(sandbox: Sandbox) -> Any:
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    channel = grpc.insecure_channel(sandbox.address)
    transport = SecretManagerServiceGrpcTransport(channel=channel)
    return channel, secretmanager_v1.SecretManagerServiceClient(transport=transport)


def test_latest_standing_for_another_disabled_version_is_updated(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    last = tmp_path / "last.json"
    channel, client = _versions(sandbox)
    parent = f"projects/{PROJECT}/secrets/jwt-secret-staging"

    def bad_version() -> str:
        made = client.add_secret_version(parent=parent, payload={"data": b"fake-jwt-0123456789"})
        client.disable_secret_version(name=made.name)
        return made.name

    try:
        first = bad_version()
        done = _check(sandbox, "--output", str(last))
        report = json.loads(last.read_text())
        (before,) = [
            f
            for f in report["findings"]
            if f["rule"] == "secret.disabled" and f["service"] == "api"
        ]
        baseline = ["--baseline", str(last), "--fail-on-new"]
        assert _finding(_check(sandbox, *baseline), before["target"])["baseline"] == "unchanged"

        client.enable_secret_version(name=first)  # the one accepted is repaired
        bad_version()  # and a rotation makes a new bad one
        again = _check(sandbox, *baseline)
    finally:
        channel.close()
    found = _finding(again, before["target"])
    assert found["id"] == before["id"] and found["message"] != before["message"], found
    assert found["baseline"] == "updated", found
    assert again.returncode == 1, (done.stderr, again.stderr)
