"""SIGTERM (`timeout 60 drift check staging`, `docker stop`, a cancelled CI job) and SIGHUP while
a command that only reads runs end it as Ctrl-C does: its progress line is taken down and the
cursor it hid is shown again (the terminal is left as it was), and one line names the signal
with the exit code of an incomplete run, 3 — never a silent death by the signal, which left
the operator's shell with no cursor (revcli88 F2)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO
from tests.fix.terminal import converse, on_a_terminal

HIDE, SHOW = b"\x1b[?25l", b"\x1b[?25h"


@pytest.mark.parametrize(
    ("command", "shown"),
    [(("check", "staging"), b"checking staging"), (("history", "staging"), b"reading staging")],
    ids=["check", "history"],
)
def test_sigterm_while_reading_restores_the_terminal_and_says_so(
    sandbox: Sandbox, tmp_path: Path, command: tuple[str, ...], shown: bytes
) -> None:
    sandbox.inject(Fault("*", None, latency_ms=60_000))  # every read waits: only a signal ends it
    env = {**sandbox.environ(), "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    terminal = on_a_terminal([*command, "--profiles", str(REPO / "profiles")], env, tmp_path)
    output = converse(terminal, [(shown, signal.SIGTERM)])
    proc, _ = terminal
    text = output.decode(errors="replace")
    assert HIDE in output, text  # the progress line was up: it hid the cursor
    assert output.rfind(SHOW) > output.rfind(HIDE), text  # and the cursor is back
    assert proc.returncode == 3, text
    assert "drift: error: interrupted: SIGTERM received" in text
    assert "Traceback" not in text
