"""An update in place the server refuses (INVALID_ARGUMENT: nothing applied) whose abort the
journal then cannot record (the disk fills as the refusal comes back): drift knows the write
did not land, so it is exit 4 with "nothing was changed" and the server's reason, saying the
journal could not record the abort — never the exit 3 and "the update was sent (whether it
landed is not recorded)" of a write whose outcome is unknown (helper-669 F6). The lock is
released, and the change's rollback, once the disk has room, finds nothing to undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.workload
from drift.errors import ApiError
from drift.fix.journal import Journal, State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift as run_drift
from tests.reliability.test_journal_full import NO_SPACE, disk_full

PROJECT = "acme-chat-staging"
SOLO = (
    f"project: {PROJECT}\nregion: us-central1\nservices:\n  api:\n    settings:\n"
    "      ingress: internal-and-cloud-load-balancing\n"
)


def test_a_refused_update_whose_abort_is_not_journaled_changed_nothing(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = drift.fix.workload.update_workload
    with monkeypatch.context() as patched:

        async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
            try:
                return await real(session, kind, request, **kw)
            except ApiError:
                disk_full(patched)  # the disk fills as the refusal comes back
                raise

        patched.setattr(drift.fix.workload, "update_workload", update_workload)
        sandbox.inject(Fault("UpdateService", "INVALID_ARGUMENT", first_n=1, message="nope"))
        before = sandbox.service(PROJECT, "api")
        folder = tmp_path / "profiles"
        folder.mkdir()
        (folder / "solo.yaml").write_text(SOLO)
        env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
        argv = ("fix", "solo", "--yes", "--profiles", str(folder))
        done = run_drift(*argv, env=env, cwd=tmp_path)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 4, said  # was 3
    assert "api: the update failed (" in said and "nope" in said, said
    assert "nothing was changed, but the journal could not record its abort" in said, said
    assert NO_SPACE in said, said
    assert "whether it landed is not recorded" not in said, said
    assert "puts back what it was" not in said, said
    assert " recorded in " not in said and "could not record where it stands" in said, said
    assert sandbox.service(PROJECT, "api").generation == before.generation
    journal = Journal(tmp_path / ".drift" / "journal")
    (entry,) = journal.entries()
    assert entry.state == State.UPDATING  # as the journal was left
    assert list((journal.directory / "locks").glob("*.lock")) == []

    ended = run_drift("rollback", entry.change_id, "--yes", env=env, cwd=tmp_path)
    assert ended.returncode == 0, ended.stdout + ended.stderr
    assert sandbox.service(PROJECT, "api").generation == before.generation
    again = run_drift(*argv, env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
