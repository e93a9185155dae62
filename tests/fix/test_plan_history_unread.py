"""`drift plan` and `drift fix` read each drifted workload's revision history (f7c9912) to mask a
value pasted over an older revision's secret reference. Where that history could not be read,
every format says so (revown54 F1); `--no-history` skips it on plan and fix as on check
(revown54 F2); and the history's failure neither stops a fix nor holds it up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from tests.check.test_check_masks_inlined_secret import _sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

PROFILE = "project: p\nregion: us-central1\nservices:\n  inl: {env: {LICENSE_CODE: other-value}}\n"
PASTED = "pastedvalue7781"  # one word, 15 chars: masked only if known to be a secret
UNREAD = "revision history not read"


def _env(sandbox: Sandbox, tmp_path: Path, profile: str = PROFILE) -> dict[str, str]:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(profile)
    return {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_STATE_DIR": str(tmp_path / "state"),
    }


def _pasted_unread(make_sandbox: MakeSandbox) -> Sandbox:
    """LICENSE_CODE was a reference to secret `lic` two days ago and is a plain value now; the
    service's ListRevisions is denied, so nothing tells drift that value is a secret."""
    service = {
        "template": {"env": {"LICENSE_CODE": PASTED}},
        "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
    }
    sandbox = _sandbox(make_sandbox, service)
    sandbox.inject(Fault(method="ListRevisions", code="PERMISSION_DENIED", match="services/inl"))
    return sandbox


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize(
    "cmd",
    [("plan",), ("fix", "--dry-run"), ("fix", "--yes", "--no-verify")],
    ids=["plan", "fix-dry-run", "fix-yes"],
)
def test_history_unread_is_said_where_the_plan_may_show_a_pasted_value(
    fmt: str, cmd: tuple[str, ...], tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """README "secrets": a reference in a history that could not be read does not make the
    value a secret; the plan's reader is told the history went unread, in the plan's words."""
    sandbox = _pasted_unread(make_sandbox)
    done = drift(
        cmd[0], "lab", *cmd[1:], "--format", fmt, env=_env(sandbox, tmp_path), cwd=tmp_path
    )
    out = done.stdout + done.stderr
    assert done.returncode in (0, 1), out
    assert f"inl: {UNREAD} (ListRevisions" in out, out
    assert "may show its value unmasked in this plan" in out, out


def test_plan_json_carries_the_note_in_its_notes(tmp_path: Path, make_sandbox: MakeSandbox) -> None:
    sandbox = _pasted_unread(make_sandbox)
    done = drift("plan", "lab", "--format", "json", env=_env(sandbox, tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    (note,) = json.loads(done.stdout)["notes"]
    assert note.startswith(f"inl: {UNREAD} (ListRevisions ") and "PERMISSION_DENIED" in note
    assert UNREAD not in done.stderr  # said once, in the document


def test_plan_json_notes_are_empty_when_the_history_was_read(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    service = {"template": {"env": {"LICENSE_CODE": "plain-x"}}, "history": [{"created": "2d"}]}
    sandbox = _sandbox(make_sandbox, service)
    done = drift("plan", "lab", "--format", "json", env=_env(sandbox, tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["notes"] == []


@pytest.mark.parametrize("fmt", ["gcloud", "yaml"])
def test_script_plans_say_it_on_stderr_never_in_the_script(
    fmt: str, tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """The note is for the person reading the plan, not a line of the script: its exit code
    is still the check's (1: drift), never 3 (the configuration was read)."""
    sandbox = _pasted_unread(make_sandbox)
    done = drift("plan", "lab", "--format", fmt, env=_env(sandbox, tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert UNREAD in done.stderr, done.stderr
    assert UNREAD not in done.stdout, done.stdout
    assert "have no since" not in done.stdout + done.stderr  # a plan shows no since


@pytest.mark.parametrize("fmt", ["table", "json", "gcloud", "yaml"])
def test_plan_when_list_revisions_is_denied_exits_as_check(
    fmt: str, tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """A plan shows no `since`: a history it could not read changes neither its exit code
    nor its script, nor makes it say "its findings have no since"."""
    service = {"template": {"env": {"LICENSE_CODE": "plain-x"}}, "history": [{"created": "2d"}]}
    sandbox = _sandbox(make_sandbox, service)
    sandbox.inject(Fault(method="ListRevisions", code="PERMISSION_DENIED", match="services/inl"))
    done = drift("plan", "lab", "--format", fmt, env=_env(sandbox, tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "have no since" not in done.stdout + done.stderr


@pytest.mark.parametrize("cmd", [("plan",), ("fix", "--dry-run")], ids=["plan", "fix-dry-run"])
@pytest.mark.parametrize("how", ["--no-history", "DRIFT_HISTORY=false"])
def test_no_history_skips_the_read_on_plan_and_fix(
    how: str, cmd: tuple[str, ...], tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """README: `--no-history` (or DRIFT_HISTORY=false) is what skips the history read; plan
    and fix pay that RPC too, so they take the option as check does."""
    service = {"template": {"env": {"LICENSE_CODE": "plain-x"}}, "history": [{"created": "2d"}]}
    sandbox = _sandbox(make_sandbox, service)
    env = _env(sandbox, tmp_path)

    def listed(since: int) -> list[Any]:
        return [c for c in sandbox.calls[since:] if c.short == "ListRevisions"]

    before = len(sandbox.calls)
    assert drift(*cmd, "lab", env=env, cwd=tmp_path).returncode in (0, 1)
    assert len(listed(before)) == 1  # read by default
    before = len(sandbox.calls)
    flag, extra = ((how,), {}) if how.startswith("--") else ((), {"DRIFT_HISTORY": "false"})
    done = drift(cmd[0], "lab", *cmd[1:], *flag, env={**env, **extra}, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert listed(before) == []


@pytest.mark.parametrize("fmt", ["table", "json", "gcloud", "yaml"])
@pytest.mark.parametrize("cmd", [("plan",), ("fix", "--dry-run")], ids=["plan", "fix-dry-run"])
def test_unnamed_variable_pasted_over_older_reference_in_full_service_output(
    fmt: str, cmd: tuple[str, ...], tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """DB_PASS, not in the profile, was a reference to secret `lic` two revisions ago and is
    now a plain value. The service drifts on LICENSE_CODE (env.value): its history is read,
    so DB_PASS's value is a secret; the yaml plan prints the whole service."""
    service = {
        "template": {"env": {"LICENSE_CODE": "plain-x", "DB_PASS": PASTED}},
        "history": [{"env": {"DB_PASS": {"secret": "lic"}}, "created": "2d"}],
    }
    sandbox = _sandbox(make_sandbox, service)
    done = drift(
        cmd[0], "lab", *cmd[1:], "--format", fmt, env=_env(sandbox, tmp_path), cwd=tmp_path
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert PASTED not in done.stdout + done.stderr, (fmt, done.stdout)
    assert UNREAD not in done.stdout + done.stderr  # read: nothing to say


@pytest.mark.timeout(30)  # a hang guard ("not held up long"), set-up included: no timing target
@pytest.mark.parametrize("code", ["PERMISSION_DENIED", "UNAVAILABLE"])
def test_fix_yes_when_list_revisions_fails(
    code: str, tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """A history is only for masking: its failure neither stops a fix nor holds it up long."""
    service = {"template": {"env": {"LICENSE_CODE": "plain-x"}}, "history": [{"created": "2d"}]}
    sandbox = _sandbox(make_sandbox, service)
    sandbox.inject(Fault(method="ListRevisions", code=code, match="services/inl"))
    done = drift("fix", "lab", "--yes", "--no-verify", env=_env(sandbox, tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_rollback_prompt_after_fixing_a_value_pasted_over_an_older_reference(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """fix knows DB_PASS's live value is a secret pasted over revision 1's reference (it read
    the history) and masks it; rollback's prompt, which puts that value back, masks it too."""
    service = {
        "template": {"env": {"DB_PASS": PASTED}},
        "history": [{"env": {"DB_PASS": {"secret": "lic"}}, "created": "2d"}],
    }
    sandbox = _sandbox(make_sandbox, service)
    profile = "project: p\nregion: us-central1\nservices:\n  inl: {env: {DB_PASS: by-fix}}\n"
    env = _env(sandbox, tmp_path, profile)
    fixed = drift("fix", "lab", "--yes", "--no-verify", env=env, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert PASTED not in fixed.stdout + fixed.stderr
    back = drift("rollback", "--yes", env=env, cwd=tmp_path)
    assert PASTED not in back.stdout + back.stderr, back.stdout + back.stderr
    assert "DB_PASS" in back.stdout + back.stderr
