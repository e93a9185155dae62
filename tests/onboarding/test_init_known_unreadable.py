"""`drift init --from-live` does not ask AccessSecretVersion for a version its GetSecretVersion
already found DISABLED or DESTROYED (helper-633 F7): Secret Manager refuses it
(FAILED_PRECONDITION: a disabled version "can't be accessed",
cloud.google.com/secret-manager/docs/disable-secret-version). What init says of the values it
could not read is the same: each such version, with the call and the status it answers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from drift.onboarding.init import init_from_live
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.test_check_shapes import SHAPES

NOT_ENABLED = (  # real-shapes: as GetSecretVersion answers them (by number, resolved)
    "projects/acme-prod/secrets/ledger-signing-key/versions/1",
    "projects/acme-prod/secrets/metrics-api-key/versions/2",
    "projects/acme-prod/secrets/e2e-oauth-key/versions/2",
    "projects/acme-prod/secrets/tls-cert/versions/2",
    "projects/acme-prod/secrets/otel-token/versions/2",
    "projects/acme-shared/secrets/partner-api-key/versions/2",
)


def test_a_version_found_not_enabled_is_not_accessed_and_said_as_before(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(SHAPES)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(
        profiles_dir=tmp_path / "profiles", project="acme-prod", region="us-central1", wait="0"
    )
    sandbox.clear_calls()
    result = asyncio.run(init_from_live("live", settings, today=dt.date(2026, 12, 6)))
    calls = list(sandbox.calls)
    accessed = Counter(c.request.name for c in calls if c.short == "AccessSecretVersion")
    assert not set(accessed) & set(NOT_ENABLED), accessed
    assert max(accessed.values()) == 1, accessed
    # the states came from GetSecretVersion (each secret once, however its version is named)
    states = [c for c in calls if c.short == "GetSecretVersion"]
    assert {c.code for c in states} == {"OK"}, [(c.request.name, c.code) for c in states]
    # worker-signing-key: only worker-api's failed template names it, whose state no read
    # asks for: its value is still asked for (a secret the list did not bring may exist)
    assert "projects/acme-prod/secrets/worker-signing-key/versions/latest" in accessed, accessed
    [said] = [n for n in result.notes if n.startswith("could not read the value of ")]
    # 7 versions not read, as before: the 6 not enabled and worker-signing-key (not found)
    assert " and 4 more: " in said, said
    # named by the call that told it (helper-656 LOW-2: an AccessSecretVersion never sent)
    assert said.count("(GetSecretVersion: DISABLED, not read)") >= 1, said
    assert "(AccessSecretVersion: FAILED_PRECONDITION)" not in said, said
    assert not result.unsure, result.unsure  # refused for good: review, not "run again"


def test_a_version_found_missing_is_not_accessed_and_said_as_before(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A served revision naming a version that does not exist (jwt's 7) and a secret that
    does not (nosuch): GetSecretVersion answered NOT_FOUND for each, so AccessSecretVersion
    of the same names is not asked; the note names both, as that call's NOT_FOUND, as ever."""
    account = "api@p.iam.gserviceaccount.com"
    env = {
        "A": {"secret": "jwt", "version": "7"},
        "B": {"secret": "nosuch"},
        "C": {"secret": "jwt"},
    }
    service = {"template": {"image": "x/a:1", "service_account": account, "env": env}}
    project = {
        "number": 5,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]},
        "secrets": {"jwt": {"versions": ["fake-jwt-value-1"]}},
        "services": {"api": service},
    }
    sandbox = make_sandbox({"projects": {"p": project}})
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path / "profiles", project="p", region="us-central1")
    sandbox.clear_calls()
    result = asyncio.run(init_from_live("live", settings, today=dt.date(2026, 12, 6)))
    accessed = [c.request.name for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert accessed == ["projects/p/secrets/jwt/versions/1"], accessed
    [said] = [n for n in result.notes if n.startswith("could not read the value of ")]
    assert said.startswith(
        "could not read the value of secret jwt:7 (GetSecretVersion: NOT_FOUND, not read), "
        "secret nosuch:latest (GetSecretVersion: NOT_FOUND, not read): "
    ), said
