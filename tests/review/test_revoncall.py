"""revoncall (reviewer repros, expected to FAIL on main): the on-call night, a service already
broken when the operator runs drift. Each test says what drift does and what it should do."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from drift.sandbox.faults import Fault
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries

DENIED = (
    "Permission 'run.services.update' denied on resource "
    "'projects/fix-lab/locations/us-central1/services/app' (or resource may not exist)."
)


def delete_service(sandbox: Sandbox) -> None:
    """`gcloud run services delete app` (the sandbox has no DeleteService: the service leaves
    its world, as a deleted one leaves Cloud Run; UpdateService without allow_missing then
    answers NOT_FOUND, run/v2 service.proto UpdateServiceRequest.allow_missing)."""

    def go() -> None:
        world = sandbox._core.world
        del world.services[world.find(LAB, "app")]

    sandbox._run(go)


def cli_env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    return {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(tmp_path / "profiles"),
        "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
    }


# --- F1: the service is deleted between drift's read and its write ------------------------


def test_a_service_deleted_at_the_canary_prompt_is_said_gone_not_maybe_carrying_a_canary(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    ui = ScriptedUI([True], on_confirm=lambda _q: delete_service(sandbox))
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    # main: "... NOT_FOUND ...) and the service could not be read back: it may carry the
    # canary, with no traffic. Traffic was not moved; `drift rollback ID` restores it"
    assert "may carry the canary" not in outcome.message, outcome.message
    assert f"drift rollback {result.change_id}" not in outcome.message, outcome.message
    # UpdateService answered NOT_FOUND and GetService too: nothing was written
    (entry,) = entries(tmp_path)
    assert entry.state == "aborted", entry.state  # main: canary-failed (an unfinished change)


def test_a_service_deleted_at_the_promotion_prompt_is_not_sent_to_rollback(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())

    def on_confirm(question: str) -> None:
        if question.startswith("Move all traffic"):
            delete_service(sandbox)

    ui = ScriptedUI([True, True], on_confirm=on_confirm)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    (outcome,) = result.outcomes
    # main: "the service could not be read back; the journal records the state: run
    # `drift rollback ID`": a rollback that can only fail (GetService NOT_FOUND)
    assert "could not be read back" not in outcome.message, outcome.message
    assert "no longer exists" in outcome.message or "deleted" in outcome.message


def test_rolling_back_a_change_to_a_deleted_service_says_it_is_gone(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    ui = ScriptedUI([True], on_confirm=lambda _q: delete_service(sandbox))
    lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    done = drift("rollback", "--yes", env=cli_env(sandbox, tmp_path), cwd=tmp_path)
    # main: exit 4 "app: cannot read the service (GetService …: NOT_FOUND: …): nothing was
    # changed", and the entry stays canary-failed in `rollback --list` for ever
    assert "no longer exists" in done.stdout + done.stderr or "deleted" in done.stdout + done.stderr
    listed = drift("rollback", "--list", env=cli_env(sandbox, tmp_path), cwd=tmp_path)
    assert "canary-failed" not in listed.stdout, listed.stdout


# --- F2: rollback while someone else's deploy is still rolling out -------------------------


def test_rollback_during_a_deploy_in_progress_says_the_deploy_is_in_progress(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    fixed = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK
    sandbox.hold_deploys(True)
    sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v3")  # stuck rolling out
    assert sandbox.service(LAB, "app").reconciling
    done = drift("rollback", "--yes", env=cli_env(sandbox, tmp_path), cwd=tmp_path)
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.ABORTED
    # main: "app was changed since drift's last write (generation 3 → 4, …): … (`drift
    # rollback --force` restores anyway)", with the in-flight template (image v3) shown as what
    # is undone, and "serving now" read from transient traffic_statuses (Service.reconciling)
    assert "in progress" in said or "reconciling" in said or "being rolled out" in said, said


# --- F3: PERMISSION_DENIED on a write other than the canary's ------------------------------


def test_a_promotion_refused_for_permission_names_the_role(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())

    def on_confirm(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED", message=DENIED))

    ui = ScriptedUI([True, True], on_confirm=on_confirm)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    (outcome,) = result.outcomes
    before = sandbox.service(LAB, "app")
    assert lab.serving(before) == {("app-00001-goj", 100)}  # safe: nothing moved
    # the canary's own write gives "hint: PERMISSION_DENIED: the caller needs roles/run.developer
    # for UpdateService, …" (canary.py:152); the promotion and its cleanup give none
    assert "roles/run.developer" in outcome.message, outcome.message


def test_a_rollback_refused_for_permission_names_the_role(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    fixed = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK
    sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED", message=DENIED))
    done = drift("rollback", "--yes", env=cli_env(sandbox, tmp_path), cwd=tmp_path)
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.ABORTED
    # main: "app: what served before is not what serves: UpdateService …: PERMISSION_DENIED …;
    # the journal says rollback-failed": no role named, and a refused write is recorded as a
    # failed rollback though nothing was written
    assert "roles/run.developer" in said, said
