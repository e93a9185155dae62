"""Ctrl-C at a prompt ends at once (issue 21 item 3): a real `drift fix` on a terminal, SIGINT
while it waits for an answer. It used to be echoed and ignored until Enter (the prompt blocks
inside asyncio.run, whose handler only cancels a task), then "Aborted!" and exit 1. Now: exit 4
within seconds, the state in one line, the journal accurate, the lock released."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.fix.conftest import PROJECT, assert_serves_as_before, entries, updates

PROMPTLY = 10.0


Terminal = tuple[subprocess.Popen[bytes], int]
Script = list[tuple[bytes, bytes | None]]


def on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> Terminal:
    primary, secondary = pty.openpty()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    # a child inherits an ignored SIGINT (tests run in the background of a shell): give it
    # the default, as a terminal would
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "drift", *args],
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            cwd=cwd,
            env={**base, **env, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
        )
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.close(secondary)
    return proc, primary


def converse(proc: subprocess.Popen[bytes], primary: int, script: Script) -> bytes:
    """For each (prompt, reply): wait for the prompt, then write the reply, or send SIGINT
    when the reply is None; return everything printed until the process ends."""
    output = b""
    deadline = time.monotonic() + 60
    steps = list(script)
    interrupted_at = 0.0
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if steps and steps[0][0] in output[-400:]:
                prompt, reply = steps.pop(0)
                if reply is None:
                    proc.send_signal(signal.SIGINT)
                    interrupted_at = time.monotonic()
                else:
                    os.write(primary, reply)
        proc.wait(timeout=PROMPTLY)
    finally:
        os.close(primary)
    assert not steps, output.decode(errors="replace")
    assert time.monotonic() - interrupted_at < PROMPTLY
    return output


def fix_web(sandbox: Sandbox, tmp_path: Path) -> Terminal:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    args = ["fix", "e2e", "--service", "web", "--profiles", str(REPO / "profiles")]
    return on_a_terminal(args, env, tmp_path)


def test_ctrl_c_at_the_first_prompt(sandbox: Sandbox, tmp_path: Path) -> None:
    proc, primary = fix_web(sandbox, tmp_path)
    output = converse(proc, primary, [(b"no traffic? [y/N]", None)]).decode()
    assert proc.returncode == 4, output
    lines = [line for line in output.splitlines() if "interrupted" in line]
    assert lines == ["drift: error: interrupted: nothing was changed"], output
    assert "Aborted!" not in output and "Traceback" not in output
    assert updates(sandbox) == [] and entries(tmp_path) == []
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))


def test_ctrl_c_at_the_promotion_prompt(sandbox: Sandbox, tmp_path: Path) -> None:
    before = sandbox.service(PROJECT, "web")
    proc, primary = fix_web(sandbox, tmp_path)
    script = [(b"no traffic? [y/N]", b"y\n"), (b"Move all traffic of web", None)]
    output = converse(proc, primary, script).decode()
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
