"""`drift rollback CHANGE --from-live ENV` and a job drift updated in place that someone else
wrote after it (revjobs93 F1). `left_in_place` named a job only when its *last* write was
drift's (`client` drift); a teammate's `gcloud run jobs update --update-env-vars …` since
(client gcloud: "Arbitrary identifier for the API client", job.proto) keeps drift's change in
the job yet hid it: the change's services rolled back, exit 0, "rolled back", the job still
running drift's write. A job or pool written since the change began by anyone may hold it:
named, never exit 0."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drift import __version__
from drift.errors import ExitCode
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI
from tests.fix.test_killed_fix import aged
from tests.jobs.test_rollback_from_live import (
    IN_PLACE,
    _killed_with_a_job,
    _rollback_from_live,
    _rolled_back_after_a_later_fix,
)


def test_a_job_drift_wrote_then_a_teammate_wrote_is_not_rolled_back_with_exit_0(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox, change = _killed_with_a_job(make_sandbox, monkeypatch, tmp_path)
    sandbox.update_job(LAB, "job", env={"NEEDED": "x"}, client=("drift", __version__))
    sandbox.update_job(LAB, "job", env={"OTHER": "z"})  # a teammate's gcloud, since
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    ui = ScriptedUI()
    done = _rollback_from_live(tmp_path, tmp_path / "here", change, ui, "      MODE: live\n")
    summary = " ".join(done.summary().split())
    assert done.restored == ["app"], summary
    assert "NEEDED" in str(sandbox.job(LAB, "job").template.template.containers[0].env)
    assert done.exit_code == ExitCode.ABORTED, summary  # never "rolled back", exit 0
    assert f"job job: written since change {change} began" in summary, summary
    assert IN_PLACE in summary, summary


def test_a_job_last_written_before_the_change_began_is_not_named(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The control: a job nobody wrote since the change began (its seed's `update_time`, a
    day before) is not named, and the rollback of the change's services exits 0."""
    sandbox, change = _killed_with_a_job(make_sandbox, monkeypatch, tmp_path)
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    ui = ScriptedUI()
    done = _rollback_from_live(tmp_path, tmp_path / "here", change, ui, "      MODE: live\n")
    summary = " ".join(done.summary().split())
    assert done.exit_code == ExitCode.OK, summary
    assert "job job:" not in summary + " ".join(ui.said), summary


def test_a_job_drift_then_a_teammate_then_a_journaled_change_wrote_still_names_the_first(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Change A (a CI fix, its journal lost) wrote the job; a teammate's gcloud wrote it next;
    change B, journaled here, wrote it last. B's entry holds the job as B found it: the
    teammate's write, since A began, which may keep A's under it. It was "not by change A:
    left as it is", exit 0; it is named with B's, exit 4, and no `drift fix` offered (it would
    undo B)."""
    sandbox, change_a = _killed_with_a_job(make_sandbox, monkeypatch, tmp_path)
    sandbox.update_job(LAB, "job", env={"FROM_A": "y"}, client=("drift", __version__))
    sandbox.update_job(LAB, "job", env={"OTHER": "z"})  # a teammate's gcloud
    done, change_b, summary, said = _rolled_back_after_a_later_fix(sandbox, tmp_path, change_a)
    assert done.restored == ["app"], summary
    assert "FROM_A" in str(sandbox.job(LAB, "job").template.template.containers[0].env)
    assert done.exit_code == ExitCode.ABORTED, summary
    assert f"job job: last written by change {change_b}" in said, said
    assert f"may hold that change under {change_b}'s" in summary, summary
    assert "`drift fix lab`" not in summary + said, summary
