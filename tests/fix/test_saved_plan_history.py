"""A plan saved with `drift plan --out` and applied with `drift fix --plan`, the revision
history read in one run and not in the other (`--no-history`, ListRevisions denied or
unavailable once in a CI apply job). The history only decides whether a change's `before` is
shown masked: the change and the live state it was planned on (the etag) are the same, so the
plan applies (revown56 F3: it was refused with exit 4, blaming a drift upgrade that did not
happen). The saved file carries the plan's notes, as `plan --format json` does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift import __version__
from drift.fix.saved import OPTIONS
from drift.fix.saved_digest import legacy_digest
from drift.sandbox import Fault
from tests.check.test_check_masks_inlined_secret import _sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.test_plan_history_unread import PASTED, UNREAD, _env

SERVICE = {
    "template": {"env": {"LICENSE_CODE": PASTED}},
    "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
}


def _fix(env: dict[str, str], tmp_path: Path, saved: Path) -> Any:
    return drift("fix", "lab", "--plan", str(saved), "--yes", "--no-verify", env=env, cwd=tmp_path)


@pytest.mark.parametrize("how", ["no-history-flag", "list-revisions-denied"])
def test_a_plan_saved_without_the_history_applies_once_it_is_read(
    how: str, tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = _sandbox(make_sandbox, SERVICE)
    env = _env(sandbox, tmp_path)
    saved = tmp_path / "plan.json"
    extra: tuple[str, ...] = ()
    if how == "no-history-flag":
        extra = ("--no-history",)
    else:
        sandbox.inject(
            Fault(method="ListRevisions", code="PERMISSION_DENIED", match="services/inl")
        )
    made = drift("plan", "lab", *extra, "--out", str(saved), env=env, cwd=tmp_path)
    assert made.returncode == 1, made.stdout + made.stderr
    shown = drift("plan", "lab", *extra, "--format", "json", env=env, cwd=tmp_path)
    # the file carries the plan's notes, as the JSON plan does (a value it may show unmasked)
    assert json.loads(saved.read_text())["notes"] == json.loads(shown.stdout)["notes"]
    if how == "list-revisions-denied":
        assert any(UNREAD in n for n in json.loads(saved.read_text())["notes"]), saved.read_text()
    sandbox.clear_faults()
    done = _fix(env, tmp_path, saved)
    assert done.returncode == 0, done.stdout + done.stderr
    after = drift("check", "lab", "--format", "json", env=env, cwd=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr  # LICENSE_CODE is other-value


def test_a_plan_saved_with_the_history_applies_when_it_fails_once(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """The reverse: the plan read the history (value masked); the CI apply job's ListRevisions
    fails once (UNAVAILABLE), a failure `fix` survives (revown54 F1)."""
    sandbox = _sandbox(make_sandbox, SERVICE)
    env = _env(sandbox, tmp_path)
    saved = tmp_path / "plan.json"
    made = drift("plan", "lab", "--out", str(saved), env=env, cwd=tmp_path)
    assert made.returncode == 1, made.stderr
    assert PASTED not in saved.read_text()
    assert json.loads(saved.read_text())["notes"] == []
    sandbox.inject(Fault(method="ListRevisions", code="UNAVAILABLE", match="services/inl"))
    # a short retry budget: the list is still retried (first backoff 0.1-0.2 s) and fails
    done = _fix({**env, "DRIFT_RETRY_BUDGET": "0.5"}, tmp_path, saved)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_plan_whose_change_differs_is_refused_naming_no_version_when_it_is_this_one(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """Still refused when what the fix writes differs (here the file's `after`, digested
    again); the same drift saved it, so the refusal names no upgrade."""
    from drift.fix.saved import body_digest

    sandbox = _sandbox(make_sandbox, SERVICE)
    env = _env(sandbox, tmp_path)
    saved = tmp_path / "plan.json"
    assert drift("plan", "lab", "--out", str(saved), env=env, cwd=tmp_path).returncode == 1
    data = json.loads(saved.read_text())
    data["services"][0]["env"][0]["after"] = "another-value"
    data["saved"]["digest"] = body_digest(data, {k: data["saved"][k] for k in OPTIONS})
    saved.write_text(json.dumps(data))
    done = _fix(env, tmp_path, saved)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 4, said
    assert "the plan now differs from" in said and "inl/env.LICENSE_CODE" in said, said
    assert f"by this drift {__version__} at " in said, said
    assert "which plans it otherwise" not in said, said


def test_a_plan_saved_by_the_drift_before_this_digest_still_applies(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """A file whose digest covers each change's `before` (as drift wrote it before revown56)
    is intact, and applies when nothing changed."""
    sandbox = _sandbox(make_sandbox, SERVICE)
    env = _env(sandbox, tmp_path)
    saved = tmp_path / "plan.json"
    assert drift("plan", "lab", "--out", str(saved), env=env, cwd=tmp_path).returncode == 1
    data = json.loads(saved.read_text())
    del data["notes"]  # not in a file of that drift
    data["saved"]["digest"] = legacy_digest(data, {k: data["saved"][k] for k in OPTIONS})
    saved.write_text(json.dumps(data))
    done = _fix(env, tmp_path, saved)
    assert done.returncode == 0, done.stdout + done.stderr
