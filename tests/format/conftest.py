"""One shared set of findings and the drift / clean / incomplete reports every format renders."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from drift.findings import (
    FailOn,
    Finding,
    Location,
    ProbeOutcome,
    ProbeResult,
    Severity,
    Unverified,
    finding_id,
)
from drift.format import sarif
from drift.report import Report

ENV = "staging"
SERVICES = ("api", "auth", "web")


def make_finding(
    rule: str,
    severity: Severity,
    service: str,
    target: str,
    message: str,
    *,
    expected: str | None = None,
    actual: str | None = None,
    location: Location | None = None,
    revision: str | None = None,
    ignore_reason: str | None = None,
) -> Finding:
    return Finding(
        id=finding_id(ENV, service, rule, target),
        rule=rule,
        severity=severity,
        service=service,
        revision=revision or f"{service}-00042-abc",
        target=target,
        message=message,
        expected=expected,
        actual=actual,
        location=location,
        ignored=ignore_reason is not None,
        ignore_reason=ignore_reason,
    )


MISSING = make_finding(
    "env.missing",
    Severity.ERROR,
    "api",
    "env.E2E_OAUTH_SIMULATION_KEY",
    "E2E_OAUTH_SIMULATION_KEY is not set",
    expected="secret e2e-oauth-simulation-key-staging:latest",
    location=Location("profiles/e2e.yaml", 6),
)
PLAINTEXT = make_finding(
    "env.plaintext_secret",
    Severity.ERROR,
    "api",
    "env.JWT_SECRET_KEY",
    "JWT_SECRET_KEY holds a plain value, expected a Secret Manager reference",
    expected="secret jwt-secret-staging:latest",
    actual="*** (changed)",
    location=Location("profiles/staging.yaml", 14),
)
CLOSE_1011 = make_finding(
    "probe.close_1011",
    Severity.ERROR,
    "api",
    "probe",
    "wss://api.example/ws: handshake succeeded, then the server closed with 1011",
    expected="open for 2s",
    actual="closed 1011 (internal error) after 212 ms",
    location=Location("profiles/staging.yaml", 30),
)
DISABLED = make_finding(
    "secret.disabled",
    Severity.ERROR,
    "auth",
    "secret.secret-key-staging",
    "version 3 of secret-key-staging is DISABLED (used by SECRET_KEY)",
    expected="ENABLED",
    actual="***",
    location=Location("profiles/staging.yaml", 16),
    revision="auth-00007-xyz",
)
CONSTRAINT = make_finding(
    "env.constraint",
    Severity.WARNING,
    "api",
    "env.AUTH_SERVICE_URL",
    "AUTH_SERVICE_URL fails 100% of: pattern ^https://, not [localhost]\nsee OPS-7",
    expected="pattern ^https://",
    actual="http://localhost:8081",
    location=Location("profiles/odd,name:v2.yaml", 12),
)
ROLLOUT = make_finding(
    "revision.rollout",
    Severity.WARNING,
    "web",
    "revision.web-00008-new",
    "latest revision web-00008-new is not ready; web-00007-old serves 100%",
    revision="web-00007-old",
)
SETTING = make_finding(
    "setting.value",
    Severity.INFO,
    "web",
    "setting.max_instances",
    "max_instances is 10, the profile says 20",
    expected="20",
    actual="10",
    location=Location("profiles/staging.yaml", 40),
    revision="web-00007-old",
)
IGNORED = make_finding(
    "env.unexpected",
    Severity.WARNING,
    "api",
    "env.DEBUG_TOOLBAR",
    "DEBUG_TOOLBAR is set but the profile does not name it",
    actual="1",
    location=Location("profiles/staging.yaml", 50),
    ignore_reason="tracked in OPS-42",
)
FINDINGS = (SETTING, IGNORED, ROLLOUT, CONSTRAINT, DISABLED, CLOSE_1011, PLAINTEXT, MISSING)
"""Deliberately out of order: every format must sort them itself."""

FAILED_PROBE = ProbeResult(
    service="api",
    revision="api-00042-abc",
    url="wss://api.example/ws",
    outcome=ProbeOutcome.CLOSE_1011,
    elapsed_ms=212,
    http_status=101,
    close_code=1011,
    close_reason="internal error",
    detail="closed 180 ms after the handshake",
    suspected_causes=(MISSING.id, PLAINTEXT.id),
)
OK_PROBE = ProbeResult(
    service="web",
    revision="web-00007-old",
    url="wss://web.example/ws",
    outcome=ProbeOutcome.OK,
    elapsed_ms=2035,
    http_status=101,
)
UNVERIFIED = Unverified(
    "auth", "secret.fernet-key-staging", "PERMISSION_DENIED: caller lacks secretmanager.get"
)
FIX_COMMANDS = (
    "gcloud run services update api --project acme-staging --region us-central1 "
    "--update-secrets E2E_OAUTH_SIMULATION_KEY=e2e-oauth-simulation-key-staging:latest",
)


def make_report(
    findings: tuple[Finding, ...] = (),
    *,
    probes: tuple[ProbeResult, ...] = (),
    unverified: tuple[Unverified, ...] = (),
    fix_commands: tuple[str, ...] = (),
    fail_on: FailOn = FailOn.ERROR,
) -> Report:
    return Report(
        environment=ENV,
        project="acme-staging",
        region="us-central1",
        services=SERVICES,
        findings=findings,
        probes=probes,
        unverified=unverified,
        fail_on=fail_on,
        fix_commands=fix_commands,
    )


DRIFT_REPORT = make_report(
    FINDINGS,
    probes=(OK_PROBE, FAILED_PROBE),
    unverified=(UNVERIFIED,),
    fix_commands=FIX_COMMANDS,
)
CLEAN_REPORT = make_report((SETTING, IGNORED), probes=(OK_PROBE,))
INCOMPLETE_REPORT = make_report((ROLLOUT,), unverified=(UNVERIFIED,))

REPORTS = {"drift": DRIFT_REPORT, "clean": CLEAN_REPORT, "incomplete": INCOMPLETE_REPORT}


@pytest.fixture(params=sorted(REPORTS))
def named_report(request: pytest.FixtureRequest) -> tuple[str, Report]:
    """Each of the three reports, with its name."""
    name: str = request.param
    return name, REPORTS[name]


DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = DATA / "format"
UPDATE = os.environ.get("DRIFT_UPDATE_GOLDEN") == "1"

Golden = Callable[[str, str], None]


@pytest.fixture
def golden() -> Golden:
    """Compare a rendering with tests/data/format/NAME (DRIFT_UPDATE_GOLDEN=1 rewrites it)."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if UPDATE:
            path.write_text(text, encoding="utf-8", newline="")
        assert text == path.read_bytes().decode(), f"{name} differs from the golden file"

    return check


@pytest.fixture(autouse=True)
def _fixed_information_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    """SARIF's informationUri comes from the package metadata; pin it for exact output."""
    monkeypatch.setattr(sarif, "information_uri", lambda: "https://drift.example/docs")
