"""A baseline chained run after run, as README
"Drift over time" shows it (`--baseline last.json --json now.json`, now.json the next run's
baseline), must call the same drift `unchanged` every time. A secret reference whose secret
name ends in -key/-token/-secret and whose version is `latest` is taken for a credential when
read back from the baseline (drift/baseline.py `_remember_credentials`): the next report masks
the profile's *reference* as `***` in `expected`, and the run after that calls the finding
`updated` — `--fail-on-new` fails a scheduled job with nothing changed. Chained in place
(`--baseline r.json --json r.json`) it alternates for ever: exit 0, 1, 0, 1, … (the masked
report registers nothing, so the run after it prints the reference again, which the next
baseline masks again)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drift import credentials, redact
from drift.baseline import parse_baseline
from drift.findings import Finding, Severity, finding_id
from drift.format.json import report_document
from drift.report import Report
from tests.cliutil import drift
from tests.conftest import MakeSandbox

LAB = "lab"
ACCOUNT = "serviceAccount:555000111222-compute@developer.gserviceaccount.com"


def world() -> dict[str, object]:
    return {
        "options": {"seed": 3},
        "projects": {
            LAB: {
                "number": 555000111222,
                "region": "us-central1",
                "iam": {"roles/secretmanager.secretAccessor": [ACCOUNT]},
                "secrets": {
                    "stripe-api-key": {"versions": ["fake-v1-0a1b2c3d", "fake-v2-4e5f6a7b"]}
                },
                "services": {
                    "app": {
                        "template": {
                            "image": "us-docker.pkg.dev/lab/app:v1",
                            "port": 8080,
                            # pinned to version 1 by a hotfix; the profile says latest
                            "env": {"STRIPE_KEY": {"secret": "stripe-api-key", "version": "1"}},
                        }
                    }
                },
            }
        },
    }


def profiles(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
        "      STRIPE_KEY: {secret: stripe-api-key, version: latest}\n"
    )
    return folder


def chain(make_sandbox: MakeSandbox, tmp_path: Path) -> tuple[Path, Callable[..., Any]]:
    """Two scheduled runs: the first writes first.json, the second compares with it and
    writes second.json."""
    sandbox = make_sandbox(world())
    env = sandbox.environ()
    folder = str(profiles(tmp_path))
    first, second = tmp_path / "first.json", tmp_path / "second.json"

    def run(*args: str) -> Any:
        return drift("check", "lab", "--profiles", folder, "--no-history", *args, env=env)

    done = run("--format", "json", "--output", str(first))
    assert done.returncode == 1, done.stderr
    [finding] = json.loads(first.read_text())["findings"]
    assert finding["expected"] == "secret stripe-api-key:latest"

    # the next scheduled run: compared with the first, writes the baseline of the one after
    done = run("--baseline", str(first), "--fail-on-new", "--json", str(second))
    assert done.returncode == 0, done.stdout + done.stderr
    [finding] = json.loads(second.read_text())["findings"]
    assert finding["baseline"] == "unchanged"
    return second, run


@pytest.mark.sandbox
def test_a_chained_baseline_shows_the_profiles_reference(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    second, _ = chain(make_sandbox, tmp_path)
    [finding] = json.loads(second.read_text())["findings"]
    # the profile's reference is not a secret value: it is what the reader must see
    assert finding["expected"] == "secret stripe-api-key:latest", finding  # main: "***"


@pytest.mark.sandbox
def test_a_chained_baseline_calls_the_same_drift_unchanged_on_the_third_run(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    second, run = chain(make_sandbox, tmp_path)
    # the run after that: nothing changed, nothing new
    done = run("--baseline", str(second), "--fail-on-new", "--format", "json")
    report = json.loads(done.stdout)
    assert [f["baseline"] for f in report["findings"]] == ["unchanged"], report["findings"]
    assert done.returncode == 0  # main: 1, "1 new or updated"


@pytest.mark.parametrize(
    "reference",
    [
        "secret otel-token:latest",
        "secret projects/600000000002/secrets/partner-api-key:latest",
        "secret db-password:prod",
        "secret signing-secret:Blue_Green-2",
        "STRIPE_KEY on app references secret stripe-api-key:1, not secret stripe-api-key:prod",
    ],
)
def test_a_secret_reference_as_drift_shows_it_is_no_credential(reference: str) -> None:
    """`NAME:VERSION` of a reference is no `key: value` (a secret named `*-key`, `*-token`,
    `*-secret`, `*-password`), and `latest` is no credential's value (`otel-token:latest`) —
    in a text drift wrote (a baseline's finding: `drift_text`)."""
    assert credentials.credential_pieces(reference, drift_text=True) == []


def test_a_name_and_latest_is_no_credential_and_a_bare_key_value_still_is() -> None:
    assert credentials.credential_pieces("otel-token:latest stripe-api-key:latest") == []
    assert credentials.credential_pieces("db-password:Fak3Pw0rd") == ["Fak3Pw0rd"]


def test_a_credential_next_to_a_reference_is_still_one() -> None:
    assert credentials.credential_pieces("secret db-password:Fak3Pw0rd! token=Fak3T0ken") == [
        "Fak3Pw0rd!",
        "Fak3T0ken",
    ]
    assert credentials.credential_pieces("--password=Fak3Pw0rd secret") == ["Fak3Pw0rd"]


def _baseline_of(rule: str, target: str, expected: str | None, actual: str | None) -> None:
    finding = Finding(
        id=finding_id("lab", "app", rule, target),
        rule=rule,
        service="app",
        revision="app-00001-abc",
        target=target,
        message=f"{target} on app-00001-abc differs",
        expected=expected,
        actual=actual,
        severity=Severity.ERROR,
        location=None,
    )
    report = Report(
        environment="lab", project=LAB, region="us-central1", services=("app",), findings=(finding,)
    )
    parse_baseline("last.json", json.dumps(report_document(report)).encode())


def test_a_baselines_reference_is_never_registered_as_a_credential() -> None:
    """By its rule: `env.secret_ref` and `mount.secret_ref` compare references, whatever
    shape the reference has (a regional secret's, which drift keeps whole and does not read)."""
    regional = "secret projects/lab/locations/us-central1/secrets/db-password:prod-fak3"
    _baseline_of("env.secret_ref", "env.DB_PASSWORD", regional, "secret db-password:2")
    _baseline_of("mount.secret_ref", "mount./etc/db", regional, "secret db-password:2")
    assert redact.mask(f"expected {regional}") == f"expected {regional}"


def test_a_credential_an_older_drift_left_in_a_baseline_is_still_masked() -> None:
    """Why a baseline's values are looked at (README "Drift over time"): an older drift
    masked less."""
    shown = "postgres://app:Fak3Baseline9Pw@10.0.0.3/db"
    _baseline_of("env.value", "env.DATABASE_URL", "postgres://app@10.0.0.3/db", shown)
    assert shown not in redact.mask(f"now {shown}")


def test_a_regional_references_version_in_a_baselines_message_is_no_credential() -> None:
    """A regional secret reference, which drift keeps whole (drift.refs), in the message of a
    baseline's finding ("env.X references secret projects/P/locations/L/secrets/NAME:V instead
    of …", drift/diff/env.py): on main its version was read as the value of a `NAME: value`
    and registered as a credential, then masked in every report (fixleft3)."""
    regional = "secret projects/lab/locations/us-central1/secrets/db-password:rg-fak3-v"
    finding = Finding(
        id=finding_id("lab", "app", "env.secret_ref", "env.DB_PASSWORD"),
        rule="env.secret_ref",
        service="app",
        revision="app-00001-abc",
        target="env.DB_PASSWORD",
        message=f"env.DB_PASSWORD references {regional} instead of secret db-password:2",
        expected="secret db-password:2",
        actual=regional,
        severity=Severity.ERROR,
        location=None,
    )
    report = Report(
        environment="lab", project=LAB, region="us-central1", services=("app",), findings=(finding,)
    )
    parse_baseline("last.json", json.dumps(report_document(report)).encode())
    assert redact.mask(f"now {regional}") == f"now {regional}"
    assert credentials.credential_pieces(finding.message, drift_text=True) == []
