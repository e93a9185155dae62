"""Ctrl-C at a prompt ends at once (issue 21 item 3): a real `drift fix` on a terminal, SIGINT
while it waits for an answer. It used to be echoed and ignored until Enter (the prompt blocks
inside asyncio.run, whose handler only cancels a task), then "Aborted!" and exit 1. Now: exit 4
within seconds, the state in one line, the journal accurate, the lock released."""

from __future__ import annotations

import signal
from pathlib import Path

from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.fix.conftest import PROJECT, assert_serves_as_before, entries, updates
from tests.fix.terminal import Script, Terminal, converse, on_a_terminal


def fix_web(sandbox: Sandbox, tmp_path: Path) -> Terminal:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    args = ["fix", "e2e", "--service", "web", "--profiles", str(REPO / "profiles")]
    return on_a_terminal(args, env, tmp_path)


def test_ctrl_c_at_the_first_prompt(sandbox: Sandbox, tmp_path: Path) -> None:
    proc, primary = terminal = fix_web(sandbox, tmp_path)
    output = converse(terminal, [(b"no traffic? [y/N]", signal.SIGINT)]).decode()
    assert proc.returncode == 4, output
    lines = [line for line in output.splitlines() if "interrupted" in line]
    assert lines == ["drift: error: interrupted: nothing was changed"], output
    assert "Aborted!" not in output and "Traceback" not in output
    assert updates(sandbox) == [] and entries(tmp_path) == []
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))


def test_ctrl_c_at_the_promotion_prompt(sandbox: Sandbox, tmp_path: Path) -> None:
    before = sandbox.service(PROJECT, "web")
    proc, _ = terminal = fix_web(sandbox, tmp_path)
    script: Script = [(b"no traffic? [y/N]", b"y\n"), (b"Move all traffic of web", signal.SIGINT)]
    output = converse(terminal, script).decode()
    assert proc.returncode == 4, output
    (entry,) = entries(tmp_path)
    assert entry.state == State.CANARY_READY  # the journal is accurate
    (line,) = [line for line in output.splitlines() if "interrupted" in line]
    assert line.startswith(f"drift: error: interrupted: web: the canary {entry.canary_revision}")
    assert f"`drift rollback {entry.change_id}`" in line and "Traceback" not in output
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    done = drift("rollback", entry.change_id, "--yes", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)
