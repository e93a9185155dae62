"""A Ctrl-C that lands after the last await before a prompt, before the prompt takes Ctrl-C
over (fixtty "Left open"): asyncio's handler only marks the task's cancellation, for its next
await. The prompt then waited for an answer, and a "y" started the write that the pending
cancellation cut (the promotion left `promoting`, its lock kept). Now it ends as a Ctrl-C at
the prompt does: nothing more written, the same line and exit code. The signal is delivered
deterministically, by a hook in the real `drift fix` process right before the prompt."""

from __future__ import annotations

import asyncio
import os
import pty
import sys
from pathlib import Path

import pytest

from drift.cli.prompt import PromptUI
from drift.fix import deadline
from drift.fix.context import Stop
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import REPO, python_argv
from tests.fix.conftest import PROJECT, entries, updates
from tests.fix.terminal import Script, Terminal, converse, spawn_on_a_terminal
from tests.fix.test_prompts import ended_at_the_promotion_prompt

HOOK = """
import signal, sys
from drift.cli import main, prompt
from drift.fix import apply

asked, checked, before = prompt.PromptUI.confirm, apply.run_check, sys.argv.pop(1)

def confirm(self, question, timeout=None):
    if question.startswith(before):  # Ctrl-C after the last await, before the prompt
        signal.raise_signal(signal.SIGINT)
    return asked(self, question, timeout)

async def run_check(*args, **kwargs):
    if before == "re-check":  # Ctrl-C as the re-check after the fix begins
        signal.raise_signal(signal.SIGINT)
    return await checked(*args, **kwargs)

prompt.PromptUI.confirm, apply.run_check = confirm, run_check
main()
"""
"""`python -c HOOK WHEN drift-args…`: SIGINT right before the prompt whose question starts
with WHEN, or as the fix's re-check begins (WHEN `re-check`)."""


def fix_web(sandbox: Sandbox, tmp_path: Path, before: str, *more: str, **environ: str) -> Terminal:
    """`drift fix e2e MORE…` on a terminal, SIGINT delivered by HOOK at `before`."""
    journal = str(tmp_path / ".drift" / "journal")
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": journal, **environ}
    args = ["fix", "e2e", *more, "--profiles", str(REPO / "profiles")]
    # through the zygote (`python_argv`): what it proves happens at a prompt, long after start
    return spawn_on_a_terminal([*python_argv(), "-c", HOOK, before, *args], env, tmp_path)


def test_ctrl_c_just_before_the_promotion_prompt_is_ctrl_c_at_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Just after the canary's probe, before "Move all traffic of web?": a "y" typed then
    is no answer; the canary is cleaned up as at the prompt, exit 4, one line, no lock."""
    before = sandbox.service(PROJECT, "web")
    proc, _ = terminal = fix_web(sandbox, tmp_path, "Move all traffic", "--service", "web")
    script: Script = [(b"no traffic? [y/N]", b"y\n"), (b"Move all traffic of web", b"y\n")]
    output = converse(terminal, script).decode()
    assert "traffic moved to" not in output and "being moved" not in output, output
    assert proc.returncode == 4, output
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP, output
    assert [w["step"] for w in entry.writes] == ["canary", "cleanup"], entry.writes
    ended_at_the_promotion_prompt(output, sandbox, tmp_path, before, entry.canary_revision)


def test_ctrl_c_just_before_the_first_prompt_is_ctrl_c_at_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Just after the plan is read, before "Deploy … with no traffic?": nothing is written."""
    proc, _ = terminal = fix_web(sandbox, tmp_path, "Deploy", "--service", "web")
    output = converse(terminal, [(b"no traffic? [y/N]", b"y\n")]).decode()
    assert proc.returncode == 4, output
    lines = [line for line in output.splitlines() if "interrupted" in line]
    assert lines == ["drift: error: interrupted: nothing was changed"], output
    assert "Traceback" not in output
    assert updates(sandbox) == [] and entries(tmp_path) == []


# In-process, each layer alone: a Ctrl-C that asyncio's handler turned into a cancellation of
# the task, left for its next await (`Task.cancel` is all that handler does).


def test_a_cancellation_pending_as_the_prompt_asks_is_ctrl_c_at_it_without_an_answer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The prompt's own check (`drift.cli.signals.cancelled_before`): nothing is typed, and
    the prompt ends at once as at a Ctrl-C, not when its time is over (here 5 s: a "no")."""
    parent, child = pty.openpty()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # the question is on stdout
    said: list[object] = []

    async def asked() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()  # Ctrl-C after the task's last await
        try:
            said.append(PromptUI(yes=False).confirm("Move?", timeout=5))
        except KeyboardInterrupt:
            said.append("Ctrl-C")
        with pytest.raises(asyncio.CancelledError):  # taken back, as `deadline.promotion` does
            await asyncio.sleep(0)
        task.uncancel()

    with os.fdopen(child, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        asyncio.run(asked())
    os.close(parent)
    assert said == ["Ctrl-C"], capsys.readouterr().out


def test_a_ctrl_c_once_the_promotion_was_answered_is_ctrl_c_at_the_prompt() -> None:
    """`deadline.promotion`'s check after the answer: a Ctrl-C once "y" was read (the prompt
    has given Ctrl-C back to asyncio) stops before the promotion's write, cleaned up as at the
    prompt, its cancellation taken back (the clean-up's awaits are not cut)."""

    class AnsweredThenCtrlC:
        def confirm(self, question: str, timeout: float | None = None) -> bool:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()  # the Ctrl-C, after the answer was read
            return True

        def say(self, text: str) -> None:
            pass

    async def promoted() -> object:
        ui = AnsweredThenCtrlC()
        try:
            await deadline.promotion(ui, "web", "Move?", deadline.started())  # type: ignore[arg-type]
        except Stop as stop:
            await asyncio.sleep(0)  # the clean-up's first await
            return stop
        try:
            await asyncio.sleep(0)  # the promotion's write
        except asyncio.CancelledError:
            return "the promotion's write began, and was cut"
        return "promoted"

    stop = asyncio.run(promoted())
    assert isinstance(stop, Stop), stop
    assert stop.interrupted and stop.cleanup and "Ctrl-C at the promotion prompt" in stop.message
