"""`since` and `drift history` pass over revisions that never served: a failed revision, and
drift's canary that drift undid (a fix declined at promotion: the canary, then drift's
cleanup revision). The drift that served unbroken keeps its `since`; neither is ever named
`last_good`; `drift history` marks them and says what the next one changed against what
served."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.diff.unserved import FAILED
from drift.findings import Since
from drift.fix.apply import FixOptions
from drift.history.model import HistoryResult
from drift.history.read import read_history
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import TODAY, ScriptedUI, lab_fix, lab_profiles, lab_world, rollback


def since(sandbox: Sandbox, tmp_path: Path) -> dict[str, Since | None]:
    profile = load_profile(lab_profiles(tmp_path), "lab")
    done = asyncio.run(run_check(profile, load_settings(), today=TODAY))
    return {f.target: f.since for f in done.report.findings}


def lab(make: MakeSandbox, monkeypatch: pytest.MonkeyPatch, **world: Any) -> Sandbox:
    """A sandbox of `lab_world(**world)`, the environment pointing at it."""
    sandbox = make(lab_world(**world))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    return sandbox


def history(tmp_path: Path) -> HistoryResult:
    return asyncio.run(read_history(load_profile(tmp_path / "profiles", "lab"), load_settings()))


def test_a_failed_revision_is_never_last_good(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """r1 drifts (DEBUG set, MODE missing), r2 fixed it but failed to start, r3 drifts again:
    the drift has served unbroken since r1."""
    failed = {"env": {"MODE": "live", "DEBUG": None}, "ready": False, "message": "no start"}
    sandbox = lab(make_sandbox, monkeypatch, history=[{"env": {"DEBUG": "true"}}, failed])
    found = since(sandbox, tmp_path)
    latest, failing, first = history(tmp_path).services[0].revisions
    for target in ("env.MODE", "env.DEBUG"):
        began = found[target]
        assert began is not None and (began.revision, began.last_good) == (first.name, None)
    assert failing.never_served == FAILED and latest.against == first.name
    assert latest.changes == ()  # against what served: nothing changed


def test_a_canary_declined_at_promotion_is_passed_over(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = lab(make_sandbox, monkeypatch)
    before = since(sandbox, tmp_path)
    ui = ScriptedUI([True, False])  # the plan yes, the promotion no: cleaned up
    lab_fix(tmp_path, sandbox, ui, FixOptions(verify=False), monkeypatch)
    after = since(sandbox, tmp_path)
    assert after == before, after
    cleanup, canary, first = history(tmp_path).services[0].revisions
    assert "-drift-" in canary.name and canary.never_served.endswith(
        "undone by drift: never served"
    )
    assert cleanup.never_served == "" and cleanup.against == first.name
    assert cleanup.changes == ()  # drift's cleanup put back what served: no change


def test_a_promoted_canary_that_a_rollback_undid_did_serve(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A canary promoted (it served 100 %) and rolled back later is not "never served": the
    drift came back with the rollback's revision, and the canary is the last good one. Only a
    restoration of a canary that never held traffic is marked as undoing it (its client
    version), so only then is the canary passed over."""
    sandbox = lab(make_sandbox, monkeypatch)
    ui = ScriptedUI([True, True])  # the plan yes, the promotion yes
    assert lab_fix(tmp_path, sandbox, ui, FixOptions(verify=False), monkeypatch).exit_code == 0
    assert rollback(tmp_path).restored
    restoration, canary, first = history(tmp_path).services[0].revisions
    assert "-drift-" in canary.name and canary.never_served == ""
    found = since(sandbox, tmp_path)["env.MODE"]
    assert found is not None
    assert (found.revision, found.last_good) == (restoration.name, canary.name)
