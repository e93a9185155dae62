"""A service deleted (`gcloud run services delete`) between drift's read and its write: the
write's NOT_FOUND is a definite answer (drift never sets `allow_missing`: "If set to true, and
if the Service does not exist, it will create a new one", run/v2 `UpdateServiceRequest`), so
nothing was written. drift says the service is gone, journals the change as aborted, never
sends the operator to a rollback that cannot run, and a rollback of such an entry closes it.
A service created again under the same name is still refused (SPEC invariant 10: its uid)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries


def delete_service(sandbox: Sandbox) -> None:
    """`gcloud run services delete app` (the sandbox has no DeleteService: the service leaves
    its world, as a deleted one leaves Cloud Run)."""

    def go() -> None:
        world = sandbox._core.world
        del world.services[world.find(LAB, "app")]

    sandbox._run(go)


def cli(sandbox: Sandbox, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`drift ARGS` with the lab's profiles and journal (`lab.lab_cli` reads the service's
    name from the sandbox, where it is gone)."""
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(tmp_path / "profiles"),
        "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
    }
    return drift(*args, env=env, cwd=tmp_path, timeout=120)


def test_a_service_deleted_at_the_canary_prompt_is_said_gone_and_nothing_is_journaled(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read after the prompt (`drift.fix.reread`) answers NOT_FOUND: nothing was written,
    so nothing is journaled and no rollback is offered."""
    sandbox = make_sandbox(lab.lab_world())
    ui = ScriptedUI([True], on_confirm=lambda _q: delete_service(sandbox))
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    assert "could not be read" not in outcome.message, outcome.message
    assert f"drift rollback {result.change_id}" not in outcome.message, outcome.message
    assert "no longer exists" in outcome.message and "nothing was written" in outcome.message
    assert entries(tmp_path) == []


def test_a_service_deleted_right_before_the_canary_write_is_said_gone_not_maybe_carrying_it(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted after the read that follows the prompt: the canary write's own NOT_FOUND."""
    sandbox = make_sandbox(lab.lab_world())
    lab.before_the_write(monkeypatch, 1, lambda _q: delete_service(sandbox))
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI([True]), FixOptions(), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    assert "may carry the canary" not in outcome.message, outcome.message
    assert f"drift rollback {result.change_id}" not in outcome.message, outcome.message
    assert "no longer exists" in outcome.message and "nothing was written" in outcome.message
    (entry,) = entries(tmp_path)
    assert entry.state == State.ABORTED, entry.state


def test_a_service_deleted_at_the_promotion_prompt_is_not_sent_to_rollback(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())

    def on_confirm(question: str) -> None:
        if question.startswith("Move all traffic"):
            delete_service(sandbox)

    ui = ScriptedUI([True, True], on_confirm=on_confirm)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    assert "could not be read back" not in outcome.message, outcome.message
    assert f"drift rollback {result.change_id}" not in outcome.message, outcome.message
    assert "no longer exists" in outcome.message, outcome.message
    (entry,) = entries(tmp_path)
    assert entry.state != State.PROMOTING, entry.state
    listed = cli(sandbox, tmp_path, "rollback", "--list")
    assert State.PROMOTING not in listed.stdout, listed.stdout
    done = cli(sandbox, tmp_path, "rollback", "--yes")
    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    assert "nothing left to roll back" in done.stdout, done.stdout


def test_rolling_back_a_change_to_a_deleted_service_says_it_is_gone(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    lab.before_the_write(monkeypatch, 1, lambda _q: delete_service(sandbox))
    lab.lab_fix(tmp_path, sandbox, ScriptedUI([True]), FixOptions(), monkeypatch)
    done = cli(sandbox, tmp_path, "rollback", "--yes")
    said = done.stdout + done.stderr
    assert "no longer exists" in said, said
    listed = cli(sandbox, tmp_path, "rollback", "--list")
    assert State.CANARY_FAILED not in listed.stdout, listed.stdout


def test_rolling_back_a_promoted_change_whose_service_was_deleted_closes_it(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    fixed = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK
    delete_service(sandbox)
    done = cli(sandbox, tmp_path, "rollback", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.OK, said  # nothing is left to roll back: said, closed
    assert "app no longer exists" in said and "cannot read" not in said, said
    (entry,) = entries(tmp_path)
    assert "no longer exists" in entry.history[-1]["note"], entry.history
    again = cli(sandbox, tmp_path, "rollback", "--yes")
    assert again.returncode == ExitCode.OK and "nothing left to roll back" in again.stdout


def test_a_service_created_again_under_the_same_name_is_still_refused(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    fixed = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK
    fixed_uid = sandbox.service(LAB, "app").uid
    delete_service(sandbox)
    sandbox.reset({**lab.lab_world(), "options": {"seed": 7}})  # created again: a new uid
    assert sandbox.service(LAB, "app").uid != fixed_uid
    done = cli(sandbox, tmp_path, "rollback", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.ABORTED, said
    assert "deleted and created again" in said, said
    assert "no longer exists" not in said, said
