"""`drift fix --dry-run` answers as SPEC says: 0 when the server accepted the validation, 2 when
it was rejected — and 2 too when drift fix would stop at a service before writing it (a new
revision would fail Cloud Run's deploy-time check of its secrets), said with why; never 4, which
is for a fix aborted. Every other service is still validated, not only those before the first
problem (revfirstday, minor). An API that does not answer (UNAVAILABLE, INTERNAL… after
retries) judged nothing: "could not validate", exit 3, never "rejected" (revspec1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO, drift
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, updates

DATABASE_URL = f"projects/{PROJECT}/secrets/database-url-staging/versions/1"
"""What api's serving revision references, and the fix of api leaves as it is."""

BUDGET = "0.5"
"""The retry budget of a run whose write the API never answers: its backoffs (from 0.1-0.2 s,
doubling: `drift.live.calls`) still retry it once or twice before it is given up on, as
the default budget would over a minute."""


def test_a_service_whose_new_revision_would_fail_is_a_rejection_and_the_rest_is_validated(
    sandbox: Sandbox, tmp_path: Path, clients: Clients
) -> None:
    clients.secrets.disable_secret_version(name=DATABASE_URL)
    sandbox.clear_calls()
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "staging", "--dry-run", "-s", "api", "-s", "web", env=env, cwd=REPO)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "web: the server accepted the patch (validate_only)" in done.stdout + done.stderr
    assert "drift fix would stop before writing api: a new revision would fail" in done.stderr
    assert "database-url-staging" in done.stderr and "(dry run)" in done.stderr
    sent = updates(sandbox)
    assert sent and all(request.validate_only for request in sent)  # nothing written
    assert {request.service.name.rsplit("/", 1)[-1] for request in sent} == {"web"}


def test_a_dry_run_the_server_accepts_exits_0(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "staging", "--dry-run", "-s", "api", "-s", "web", env=env, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(request.validate_only for request in updates(sandbox))


@pytest.mark.parametrize("code", ["UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL"])
def test_a_service_the_api_never_answers_for_could_not_be_validated(
    sandbox: Sandbox, tmp_path: Path, code: str
) -> None:
    sandbox.inject(Fault(method="UpdateService", code=code, match="services/web"))
    env = {
        **sandbox.environ(),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
        "DRIFT_RETRY_BUDGET": BUDGET,
    }
    done = drift("fix", "staging", "--dry-run", "-s", "api", "-s", "web", env=env, cwd=REPO)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "rejected" not in done.stdout + done.stderr
    assert "api: the server accepted the patch (validate_only)" in done.stdout + done.stderr
    assert "could not validate web: UpdateService" in done.stdout + done.stderr
    assert code in done.stdout + done.stderr


def test_the_services_are_validated_at_once(sandbox: Sandbox, tmp_path: Path) -> None:
    """The validate_only writes are independent: each is sent without waiting for another's
    answer. Every UpdateService is answered no sooner than HOLD after it arrives, so one sent
    only after the previous answer arrives HOLD or more after it (causality, not a timing
    target: a loaded machine only makes the second one later if it waited)."""
    hold = 3.0
    sandbox.inject(Fault("UpdateService", None, latency_ms=hold * 1000))
    sandbox.clear_calls()
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "staging", "--dry-run", "--wait", "0", env=env, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    arrived = sorted(c.at for c in sandbox.calls if c.short == "UpdateService")
    assert len(arrived) >= 2, arrived
    assert arrived[-1] - arrived[0] < hold, "a validation waited for another's answer"


def test_a_validation_denied_to_the_caller_is_not_a_rejected_patch(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """validate_only answered PERMISSION_DENIED: the patch was not judged (the caller lacks
    run.services.update, or iam.serviceAccounts.actAs on the runtime service account: Cloud
    Run IAM roles, service identity), so it is unvalidated (3) as the other unjudged statuses,
    never "the server rejected the patch" (2); the service the server accepted still says so
    (revstatus)."""
    sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED", match="services/web"))
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "staging", "--dry-run", "-s", "api", "-s", "web", env=env, cwd=REPO)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 3, said
    assert "rejected" not in said and "run again" not in said, said
    assert "api: the server accepted the patch (validate_only)" in said
    assert "could not validate web: UpdateService" in said and "PERMISSION_DENIED" in said
    assert (
        "(the patch was not judged: the caller lacks run.services.update, or "
        "iam.serviceAccounts.actAs on the runtime service account)"
    ) in said, said


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "markdown"])
def test_a_dry_run_prints_the_format_it_was_asked_for(
    sandbox: Sandbox, tmp_path: Path, fmt: str
) -> None:
    """revformats 2: with a change to validate, stdout was empty (exit 0), so `> plan.json`
    held nothing exactly when there was a fix. It is the report the fix repairs (the document
    fix prints in these formats, as with nothing to change), the plan as its Repair script
    and the server's answer as a note; the prose stays on stderr."""
    import json

    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "staging", "--dry-run", "-s", "web", "--format", fmt, env=env, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "web: the server accepted the patch (validate_only)" in done.stderr
    assert done.stdout.strip(), done.stderr
    if fmt == "json":
        report = json.loads(done.stdout)
        assert report["findings"] and report["fix_commands"]
        accepted = "dry run: the server accepted the patch of web (validate_only)"
        assert any(note.startswith(accepted) for note in report["notes"]), report["notes"]
    elif fmt == "sarif":
        assert json.loads(done.stdout)["runs"][0]["results"]


@pytest.mark.parametrize("fault", [None, "UNAVAILABLE"])
def test_a_dry_run_document_says_the_exit_code_the_process_exits_with(
    sandbox: Sandbox, tmp_path: Path, fault: str | None
) -> None:
    """revown23 1: the dry run's document is the check's report, and it carried the check's
    exit code (json `exit_code` 1, sarif `exitCode` 1, github's last line `(exit 1)`) while
    the process exited 0 (accepted) or 3 (not validated): SPEC "JSON report", exit_code is
    the run's. The findings stay (the drift is real); github says first why the step passes."""
    import json

    if fault:
        sandbox.inject(Fault(method="UpdateService", code=fault, match="services/web"))
    env = {
        **sandbox.environ(),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
        "DRIFT_RETRY_BUDGET": BUDGET,
    }
    args = ("fix", "staging", "--dry-run", "-s", "web", "--format")
    said = {fmt: drift(*args, fmt, env=env, cwd=REPO) for fmt in ("json", "sarif", "github")}
    code = 3 if fault else 0
    assert {fmt: done.returncode for fmt, done in said.items()} == dict.fromkeys(said, code)
    report = json.loads(said["json"].stdout)
    assert report["exit_code"] == code and report["findings"], report["exit_code"]
    assert report["status"] == "drift"  # nothing unverified: the findings' status
    assert json.loads(said["sarif"].stdout)["runs"][0]["invocations"][0]["exitCode"] == code
    lines = said["github"].stdout.splitlines()
    verdict = "dry run not validated" if fault else "dry run accepted"
    assert lines[0].startswith(f"::notice title=drift fix --dry-run::{verdict}, exit {code}:"), (
        lines[0]
    )
    assert lines[-1].endswith(f"— drift; {verdict} (exit {code})"), lines[-1]


def test_a_denied_validation_beside_an_unanswered_one_still_says_run_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """revown22 4: one PERMISSION_DENIED dropped "run again" for the whole message, though
    the service the API never answered for (UNAVAILABLE after retries) may well validate on
    the next run: what to do is said beside each service."""
    sandbox.inject(Fault(method="UpdateService", code="UNAVAILABLE", match="services/api"))
    sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED", match="services/web"))
    env = {
        **sandbox.environ(),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
        "DRIFT_RETRY_BUDGET": BUDGET,
    }
    done = drift("fix", "staging", "--dry-run", "-s", "api", "-s", "web", env=env, cwd=REPO)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 3, said
    api = said.split("could not validate api: ", 1)[1].split("; web: ", 1)[0]
    assert "UNAVAILABLE" in api and api.endswith("(run again)"), said
    web = said.split("; web: ", 1)[1]
    assert "(the patch was not judged" in web and "run again" not in web, said
