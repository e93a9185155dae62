"""A Ctrl-C that lands after the last await before a prompt, before the prompt takes Ctrl-C
over (fixtty "Left open"): asyncio's handler only marks the task's cancellation, for its next
await. The prompt then waited for an answer, and a "y" started the write that the pending
cancellation cut (the promotion left `promoting`, its lock kept). Now it ends as a Ctrl-C at
the prompt does: nothing more written, the same line and exit code. The signal is delivered
deterministically, by a hook in the real `drift fix` process right before the prompt."""

from __future__ import annotations

from pathlib import Path

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
