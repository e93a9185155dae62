"""Several references to one secret on one revision (`SIGNING_KEY` -> latest, `OLD_SIGNING_KEY`
-> version 1): the secret's expiry is said once per revision, a version's scheduled
destruction and state once per version, each naming only what uses that version; ids stay
the fingerprint of (environment, service, rule, target) where they always were, but for a
version that only pinned references use, whose id names it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.findings import Finding, finding_id
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.test_check_shapes import PROFILES, SHAPES, check

KEY = "secret.ledger-signing-key"


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


def ledger(shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Finding]:
    text = (PROFILES / "prod.yaml").read_text()
    old = '      OLD_SIGNING_KEY: {secret: ledger-signing-key, version: "1", severity: warning}\n'
    (tmp_path / "prod.yaml").write_text(
        text.replace("  ledger:\n    env:\n", "  ledger:\n    env:\n" + old)
    )
    return list(check(shapes, monkeypatch, "ledger", profiles=tmp_path).report.findings)


def test_a_secret_expiry_is_said_once_per_revision_and_a_destruction_once_per_version(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    findings = ledger(shapes, monkeypatch, tmp_path)
    expiring = [f for f in findings if f.rule == "secret.expiring"]
    assert len(expiring) == 2, [f.message for f in expiring]
    [secret] = [f for f in expiring if "secret ledger-signing-key expires" in f.message]
    [version] = [f for f in expiring if "version 1 of ledger-signing-key" in f.message]
    assert "(also on" not in secret.message + version.message
    assert "SIGNING_KEY, OLD_SIGNING_KEY" in secret.message  # the secret: every user
    assert "(used by OLD_SIGNING_KEY on" in version.message  # version 1: only its user
    assert secret.target == version.target == KEY
    # the secret's expiry keeps the id it always had; the version's is its own
    assert secret.id == finding_id("prod", "ledger", "secret.expiring", KEY)
    assert version.id != secret.id
    assert len({f.id for f in findings}) == len(findings)


def test_a_version_state_names_only_what_uses_that_version(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    findings = ledger(shapes, monkeypatch, tmp_path)
    [disabled] = [f for f in findings if f.rule == "secret.disabled"]
    assert "version 1 of ledger-signing-key is DISABLED" in disabled.message
    assert "(referenced by OLD_SIGNING_KEY on" in disabled.message
    # only a pinned reference uses version 1: its id names the version (`_pinned`)
    assert disabled.id == finding_id("prod", "ledger", "secret.disabled", f"{KEY}#version 1")


def _one_secret(secret: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
    """Project p (number 5): secret `k` (its accessor api's account), used by service api's
    variables `env`."""
    account = "api@p.iam.gserviceaccount.com"
    iam = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]}
    template = {"image": "x/api:1", "service_account": account, "env": env}
    project = {
        "number": 5,
        "secrets": {"k": {**secret, "iam": iam}},
        "services": {"api": {"template": template}},
    }
    return {"projects": {"p": project}}


ONE_VERSION = _one_secret(
    {
        "version_destroy_ttl": "7d",
        "versions": [
            {"value": "fake-k-0a1b2c3d", "state": "DISABLED", "scheduled_destroy_in": "5d"}
        ],
    },
    {"A": {"secret": "k"}, "B": {"secret": "k", "version": "1"}},
)


def test_two_references_to_one_version_are_one_finding_each_rule(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `latest` is version 1 here: A and B use the same version, which is DISABLED and
    # scheduled for destruction
    sandbox = make_sandbox(ONE_VERSION)
    (tmp_path / "prod.yaml").write_text("project: p\nregion: us-central1\nservices:\n  api: {}\n")
    findings = check(sandbox, monkeypatch, "api", profiles=tmp_path).report.findings
    rules = sorted(f.rule for f in findings)
    assert rules == ["secret.disabled", "secret.expiring"], [f.message for f in findings]
    assert all("(also on" not in f.message and "A, B" in f.message for f in findings)


def _versions(states: list[str]) -> dict[str, object]:
    """Secret `k` with versions 1, 2, … in `states` (the last is `latest`), used by A (version
    1), B (version 2) and C (latest)."""
    versions = [{"value": f"fake-k-{i}", "state": s} for i, s in enumerate(states)]
    env = {
        "A": {"secret": "k", "version": "1"},
        "B": {"secret": "k", "version": "2"},
        "C": {"secret": "k"},
    }
    return _one_secret({"versions": versions}, env)


def _disabled(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, states: list[str]
) -> dict[str, str]:
    """Which version each `secret.disabled` finding is about -> its id."""
    sandbox = make_sandbox(_versions(states))
    (tmp_path / "prod.yaml").write_text("project: p\nregion: us-central1\nservices:\n  api: {}\n")
    findings = check(sandbox, monkeypatch, "api", profiles=tmp_path).report.findings
    ids: dict[str, str] = {}
    for f in findings:
        assert "(also on" not in f.message, f.message  # one revision serves
        if f.rule == "secret.disabled":
            version = f.message.split(" of ")[0].removeprefix("version ")
            ids[version] = f.id
    return ids


def test_two_versions_in_the_same_state_have_ids_of_their_own_that_stay_when_one_is_repaired(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A baseline keeps findings by id: had versions 1 and 2 one id, repairing version 1 would
    # leave version 2's finding with the id the baseline knows, and hide it as not new.
    both = _disabled(make_sandbox, monkeypatch, tmp_path, ["DISABLED", "DISABLED", "ENABLED"])
    assert set(both) == {"1", "2"}, both
    assert both["1"] != both["2"]
    second = _disabled(make_sandbox, monkeypatch, tmp_path, ["ENABLED", "DISABLED", "ENABLED"])
    assert second == {"2": both["2"]}
    first = _disabled(make_sandbox, monkeypatch, tmp_path, ["DISABLED", "ENABLED", "ENABLED"])
    assert first == {"1": both["1"]}


def test_the_version_latest_stands_for_keeps_the_bare_id(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # latest is version 3 here, DISABLED, and used by C: its id is the one it always had
    ids = _disabled(make_sandbox, monkeypatch, tmp_path, ["ENABLED", "ENABLED", "DISABLED"])
    assert ids == {"latest (version 3)": finding_id("prod", "api", "secret.disabled", "secret.k")}
