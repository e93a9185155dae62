"""The write freeing drift's pin under their deploy (`untrap.free_pin`), sent and not read
back: as a canary's clean-up not read back (README), never "could not free it": the entry left
`cleaning-up`, its lock kept, exit 3, `drift rollback` finishing it (helper-827 R2)."""

from __future__ import annotations

from pathlib import Path

import pytest

import drift.fix.restored
from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries
from tests.fix.test_foreign_writes import CI_IMAGE, OWN
from tests.fix.test_pin_freed import ANSWERS


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_freeing_write_not_read_back(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    sandbox = make_sandbox(lab.lab_world())

    def ci(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.deploy(LAB, "app", image=CI_IMAGE, env=OWN, client=("ci-bot", "1.2"))

    ui = ScriptedUI(list(ANSWERS[answer]), on_confirm=ci)
    with monkeypatch.context() as patched:
        lab.after_each_write(
            patched,
            drift.fix.restored,
            lambda request: sandbox.inject(Fault("GetService", "PERMISSION_DENIED")),
        )
        try:
            result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
            code, said = result.exit_code, result.summary()
        except Interrupted as exc:
            code, said = exc.exit_code, exc.message
    said = " ".join(said.split())
    (entry,) = entries(tmp_path)
    locks = list((lab.journal(tmp_path).directory / "locks").glob("*.lock"))
    assert entry.writes[-1]["step"] == "untrap", said
    assert entry.state == State.CLEANING_UP, said
    assert code is ExitCode.INCOMPLETE, said
    assert locks, "lock freed"
    assert "may have landed" in said and "could not free it" not in said, said
