"""An item that could not be verified says what to do next: one hint per failure status (the
role a denied read needs, the setting a timeout or a quota calls for), and a server's request
to be retried later than drift waits is quoted in the reason."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from drift.check import run_check
from drift.errors import ExitCode
from drift.format import OutputFormat, formatter_for
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.sandbox import Fault, Sandbox
from drift.sandbox.scenario_models import ErrorInfoSpec
from drift.settings import load_settings
from tests.cliutil import REPO, drift
from tests.reliability.conftest import FAST, PROFILES, project
from tests.timewarp import warped


@pytest.fixture
def report(sandbox: Sandbox, sandbox_env: dict[str, str]) -> Report:
    sandbox.inject(Fault("ListServices", "PERMISSION_DENIED"))  # then one GetService each
    sandbox.inject(Fault("GetService", "PERMISSION_DENIED", match="services/web"))
    sandbox.inject(Fault("GetIamPolicy", "RESOURCE_EXHAUSTED", retry_delay_ms=120_000))
    sandbox.inject(Fault("GetSecretVersion", "DEADLINE_EXCEEDED"))
    profile = load_profile(REPO / "profiles", "e2e")
    # no quota waits: a read of Secret Manager the quota refused would hold its other reads,
    # and which of them were sent before the waiting budget was spent (the GetSecretVersion
    # whose DEADLINE_EXCEEDED is a hint here) would hang on the order the reads went out in
    # (`drift.live.quota`; tests/live/test_quota_wait.py tests the waits)
    settings = load_settings(call_timeout=5.0, retry_budget=2.0, quota_wait=0)
    runner = warped(settings.access().limits)  # the DEADLINE_EXCEEDED backoffs pass at once
    return asyncio.run(run_check(profile, settings, services=["web", "api"], runner=runner)).report


def test_the_servers_retry_delay_is_quoted(report: Report) -> None:
    assert report.exit_code is not ExitCode.OK
    asked = [u.reason for u in report.unverified if "GetIamPolicy" in u.reason]
    assert asked and all("(server asked to retry after 120 s)" in r for r in asked), asked


@pytest.mark.parametrize("fmt", [OutputFormat.TABLE, OutputFormat.MARKDOWN])
def test_each_status_has_its_hint(report: Report, fmt: OutputFormat) -> None:
    text = " ".join(formatter_for(fmt, width=400).render(report).replace("\\", "").split())
    assert "PERMISSION_DENIED: the caller needs roles/run.viewer for GetService" in text
    assert "RESOURCE_EXHAUSTED: a quota or rate limit was reached: run again later" in text
    assert "DEADLINE_EXCEEDED: no answer within the call timeout: raise DRIFT_CALL_TIMEOUT" in text
    assert text.count("hint:") == 3, text


def test_a_denied_policy_read_names_the_permission_of_its_level() -> None:
    """The reasons Resource Manager reads give (`GetIamPolicy on projects/N: …`, `not
    readable: organizations/N (PERMISSION_DENIED)`): the getIamPolicy permission of each
    level, never roles/run.viewer for a word of the sentence."""
    from drift.next_steps import next_steps

    reason = (
        "GetIamPolicy on projects/500000000001: PERMISSION_DENIED; not readable: "
        "folders/77 (PERMISSION_DENIED), organizations/1000 (PERMISSION_DENIED)"
    )
    (line,) = next_steps([reason, "GetProject on projects/p: PERMISSION_DENIED"])
    for needed in (
        "resourcemanager.projects.getIamPolicy",
        "resourcemanager.folders.getIamPolicy",
        "resourcemanager.organizations.getIamPolicy",
        "resourcemanager.projects.get for GetProject",
    ):
        assert needed in line, line
    assert "run.viewer" not in line and " for on" not in line, line


def test_an_api_not_enabled_is_not_called_a_missing_role(rel: Sandbox, tmp_path: Path) -> None:
    """Google answers a call to an API the project has not enabled with PERMISSION_DENIED
    carrying a google.rpc.ErrorInfo with reason SERVICE_DISABLED and metadata `service`,
    `consumer` (google/rpc/error_details.proto, google/api/error_reason.proto). No role helps:
    the hint says to enable the API (Service Usage troubleshooting, "service not enabled"), in
    the project the error names, through the real client's parsing of the status details."""
    info = ErrorInfoSpec(
        reason="SERVICE_DISABLED",
        metadata={"service": "secretmanager.googleapis.com", "consumer": "projects/222222222200"},
    )
    for method in ("ListSecrets", "GetSecretVersion", "GetIamPolicy", "AccessSecretVersion"):
        rel.inject(
            Fault(
                method,
                "PERMISSION_DENIED",
                match=f"projects/{project(0)}/",
                message="Secret Manager API has not been used in project 222222222200 before "
                "or it is disabled.",
                error_info=info,
            )
        )
    shutil.copytree(PROFILES, tmp_path / "profiles")
    env = {**rel.environ(), **FAST, "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("check", "rel", "--project", project(0), env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr
    hints = [line for line in done.stdout.splitlines() if "hint:" in line]
    assert "the caller needs roles/secretmanager" not in done.stdout, hints
    enable = (
        "hint: PERMISSION_DENIED: the Secret Manager API is not enabled in project 222222222200: "
        "gcloud services enable secretmanager.googleapis.com --project 222222222200"
    )
    assert [h.strip() for h in hints] == [enable], hints
    # said once, not in each row: each row keeps its call, status and short cause
    assert done.stdout.count("gcloud services enable") == 1, done.stdout
    assert "has not been used" not in done.stdout, done.stdout
    short = "PERMISSION_DENIED: the Secret Manager API is not enabled in project 222222222200"
    assert done.stdout.count(f"{short} (see the hint)") >= 3, done.stdout
    github = drift(
        "check", "rel", "--project", project(0), "--format", "github", env=env, cwd=tmp_path
    )
    assert github.returncode == 3, github.stderr
    assert github.stdout.count("gcloud services enable") == 1, github.stdout
    (once,) = [x for x in github.stdout.splitlines() if "gcloud services enable" in x]
    assert once.startswith("::warning title=drift API not enabled::"), once
    rows = [x for x in github.stdout.splitlines() if x.startswith("::warning file=")]
    assert len(rows) == 3 and all(f"{short} (see the hint)" in r for r in rows), rows
    data = drift("check", "rel", "--project", project(0), "--format", "json", env=env, cwd=tmp_path)
    kept = json.loads(data.stdout)["unverified"]  # the JSON keeps each row's whole reason
    assert all("gcloud services enable" in u["reason"] for u in kept), kept


def test_a_refused_write_is_not_asked_whether_its_region_is_right() -> None:
    """A read's INVALID_ARGUMENT may come from a wrong region; a write's names a workload
    drift has just read in that region: its hint points at the server's words instead."""
    from drift.next_steps import next_steps

    read = "GetService projects/p/locations/mars/services/web: INVALID_ARGUMENT"
    write = "UpdateService projects/p/locations/us-central1/services/web: INVALID_ARGUMENT"
    (said,) = next_steps([read])
    assert "is the region right" in said
    (said,) = next_steps([write])
    assert said.startswith("INVALID_ARGUMENT: the server refused a value this write sends")
    assert "is the region right" not in said
    assert len(next_steps([read, write, read])) == 2


def test_a_secret_managers_invalid_argument_is_not_asked_about_the_region(
    sandbox: Sandbox, sandbox_env: dict[str, str]
) -> None:
    """Secret Manager's secrets (those drift reads: regional ones it refuses, with a reason)
    have no region: its INVALID_ARGUMENT gets a hint of its own, not Cloud Run's "is the
    region right" (helper-838, left open)."""
    sandbox.inject(Fault("GetSecretVersion", "INVALID_ARGUMENT"))
    profile = load_profile(REPO / "profiles", "e2e")
    settings = load_settings(call_timeout=5.0, retry_budget=2.0, quota_wait=0)
    report = asyncio.run(run_check(profile, settings, services=["api"])).report
    assert any("GetSecretVersion" in u.reason for u in report.unverified), report.unverified
    text = " ".join(formatter_for(OutputFormat.TABLE, width=400).render(report).split())
    assert "hint: INVALID_ARGUMENT: Secret Manager rejected the request" in text, text
    assert "is the region right" not in text and "DRIFT_REGION" not in text, text
    assert text.count("hint:") == 1, text
