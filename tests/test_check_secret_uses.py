"""Several references to one secret on one revision (`SIGNING_KEY` -> latest, `OLD_SIGNING_KEY`
-> version 1): the secret's expiry is said once per revision, a version's scheduled
destruction and state once per version, each naming only what uses that version; ids stay
the fingerprint of (environment, service, rule, target) where they always were."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
    assert disabled.id == finding_id("prod", "ledger", "secret.disabled", KEY)


ONE_VERSION = {
    "projects": {
        "p": {
            "number": 5,
            "secrets": {
                "k": {
                    "version_destroy_ttl": "7d",
                    "versions": [
                        {
                            "value": "fake-k-0a1b2c3d",
                            "state": "DISABLED",
                            "scheduled_destroy_in": "5d",
                        }
                    ],
                    "iam": {
                        "roles/secretmanager.secretAccessor": [
                            "serviceAccount:api@p.iam.gserviceaccount.com"
                        ]
                    },
                }
            },
            "services": {
                "api": {
                    "template": {
                        "image": "x/api:1",
                        "service_account": "api@p.iam.gserviceaccount.com",
                        "env": {"A": {"secret": "k"}, "B": {"secret": "k", "version": "1"}},
                    }
                }
            },
        }
    }
}


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
