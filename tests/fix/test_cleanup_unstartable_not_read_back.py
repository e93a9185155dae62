"""The canary's tag removed by a traffic-only update (`cleanup._untag`, the configuration that
served unable to start), sent and not read back: as a canary's clean-up not read back
(README), never "cleanup-failed": the entry left `cleaning-up`, its lock kept, exit 3,
`drift rollback` finishing it (helper-827 R2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.restored
from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.fix import conftest as lab
from tests.fix.conftest import ScriptedUI, entries, fix, lab_here
from tests.fix.test_cleanup_unstartable import PROFILE, WORLD


@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["declined", "ctrl-c"])
def test_untag_not_read_back(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: Any
) -> None:
    reseedable.reset(WORLD)
    folder = lab_here(reseedable, tmp_path, monkeypatch, PROFILE)
    ui = ScriptedUI([True, answer])
    with monkeypatch.context() as patched:
        lab.after_each_write(
            patched,
            drift.fix.restored,
            lambda request: reseedable.inject(Fault("GetService", "PERMISSION_DENIED")),
        )
        try:
            done = fix(tmp_path, reseedable.environ(), ui, FixOptions(), None, "lab", folder)
            code, said = done.exit_code, done.summary()
        except Interrupted as exc:
            code, said = exc.exit_code, exc.message
    reseedable.clear_faults()
    said = " ".join(said.split())
    (entry,) = entries(tmp_path)
    locks = list((lab.journal(tmp_path).directory / "locks").glob("*.lock"))
    assert entry.writes[-1]["step"] == "untag", said
    assert entry.state == State.CLEANING_UP, said
    assert code is ExitCode.INCOMPLETE, said
    assert locks, "lock freed"
    assert "may have landed" in said and "finishes it" in said, said
