"""A clean-up write sent and not read back — the one that keeps their routing
(`keep_routing`), the one freeing drift's pin under their deploy (`untrap.free_pin`), the
canary's tag removed by a traffic-only update (`cleanup._untag`) — is as a canary's clean-up
not read back (README): never "failed", the entry left `cleaning-up`, its lock kept, exit 3,
"may have landed" and `drift rollback` finishing it (helper-827 R2)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import drift.fix.restored
from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_here
from tests.fix.test_cleanup_keeps_their_routing import SPLIT, _fix_rerouted_at_the_prompt
from tests.fix.test_cleanup_unstartable import PROFILE, WORLD
from tests.fix.test_foreign_writes import CI_IMAGE, OWN
from tests.fix.test_pin_freed import ANSWERS


def left_cleaning_up(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run: Callable[[], Any],
    step: str,
) -> str:
    """Run the fix (`run`), each clean-up write then unreadable; check what it left; its words."""
    with monkeypatch.context() as patched:
        lab.after_each_write(
            patched,
            drift.fix.restored,
            lambda request: sandbox.inject(Fault("GetService", "PERMISSION_DENIED")),
        )
        try:
            result = run()
            code, said = result.exit_code, result.summary()
        except Interrupted as exc:
            code, said = exc.exit_code, exc.message
    sandbox.clear_faults()
    said = " ".join(said.split())
    (entry,) = entries(tmp_path)
    locks = list((lab.journal(tmp_path).directory / "locks").glob("*.lock"))
    assert entry.writes[-1]["step"] == step, said
    assert entry.state == State.CLEANING_UP, said
    assert code is ExitCode.INCOMPLETE, said
    assert locks, "lock freed"
    assert "may have landed" in said and "finishes it" in said, said
    return said


@pytest.mark.parametrize("answer", [True, False], ids=["yes", "no"])
def test_keeping_their_routing(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: bool
) -> None:
    sandbox = make_sandbox(lab.lab_world(**SPLIT))

    def run() -> Any:
        shares = {0: 50, 1: 50}
        return _fix_rerouted_at_the_prompt(sandbox, tmp_path, monkeypatch, shares, answer)[0]

    said = left_cleaning_up(sandbox, tmp_path, monkeypatch, run, "keep-routing")
    assert "--force" not in said and "left the canary" not in said, said  # never contradicts


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_freeing_the_pin(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    sandbox = make_sandbox(lab.lab_world())

    def ci(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.deploy(LAB, "app", image=CI_IMAGE, env=OWN, client=("ci-bot", "1.2"))

    ui = ScriptedUI(list(ANSWERS[answer]), on_confirm=ci)
    run = partial(lab.lab_fix, tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = left_cleaning_up(sandbox, tmp_path, monkeypatch, run, "untrap")
    assert "could not free it" not in said, said


@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["declined", "ctrl-c"])
def test_removing_the_tag_alone(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: Any
) -> None:
    reseedable.reset(WORLD)
    folder = lab_here(reseedable, tmp_path, monkeypatch, PROFILE)
    ui = ScriptedUI([True, answer])
    run = partial(fix, tmp_path, reseedable.environ(), ui, FixOptions(), None, "lab", folder)
    said = left_cleaning_up(reseedable, tmp_path, monkeypatch, run, "untag")
    assert "maybe not removed" not in said, said
