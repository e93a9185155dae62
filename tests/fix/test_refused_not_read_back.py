"""An update in place refused on every attempt (nothing written), the job then not readable:
README: "every attempt got the server's refusal ... wrote nothing, whatever the read back holds":
nothing was changed, exit 4, journaled aborted, its lock freed (helper-827 R1)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.fix.conftest import ScriptedUI
from tests.fix.test_workload_landed_not_complete import before_the_write
from tests.jobs.test_fix_jobs import fix, journal, lab  # noqa: F401


def refused(sandbox: Sandbox) -> None:
    sandbox.inject(Fault("UpdateJob", "INVALID_ARGUMENT", match="/jobs/job"))
    sandbox.inject(Fault("GetJob", "PERMISSION_DENIED", match="/jobs/job"))


def test_refused_update_not_read_back_changed_nothing(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, profiles = lab
    before = sandbox.job("p", "job")
    with monkeypatch.context() as patched:
        before_the_write(patched, partial(refused, sandbox), "/jobs/job")
        result = fix(tmp_path, profiles, ScriptedUI([True]))
    text = " ".join(result.summary().split())
    sandbox.clear_faults()
    assert sandbox.job("p", "job").generation == before.generation  # nothing written
    (entry,) = [e for e in journal(tmp_path).entries() if e.full_name.endswith("/jobs/job")]
    locks = [p.name for p in (tmp_path / ".drift" / "journal" / "locks").iterdir()]
    assert result.exit_code is ExitCode.ABORTED, text
    assert "nothing was changed" in text and "may have landed" not in text, text
    assert entry.state == State.ABORTED
    assert not locks
