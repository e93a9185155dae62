"""A prompt's answer is read so that Ctrl-C always ends the wait (`drift.cli.output._answer`):
the signal can be handled before the read that waits for Enter begins (a loaded machine stops
the process right there), and then a plain blocking read waits on. Here the signal is made to
land where the read cannot see it: the main thread blocks SIGINT, so another thread takes it,
as the C-level handler does when the signal comes too early."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from tests.fix.terminal import converse, spawn_on_a_terminal

PROMPT = """
import signal, sys, threading, time
from drift.cli.output import PromptUI

threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # the other thread takes Ctrl-C
try:
    answer = PromptUI(yes=False).confirm("Go ahead?")
except KeyboardInterrupt:
    print("INTERRUPTED", flush=True)
    sys.exit(7)
print("ANSWER", answer, flush=True)
"""


def test_ctrl_c_that_the_read_never_sees_still_ends_the_prompt(tmp_path: Path) -> None:
    terminal = spawn_on_a_terminal([sys.executable, "-c", PROMPT], {}, tmp_path)
    output = converse(terminal, [(b"Go ahead? [y/N]", signal.SIGINT)]).decode()
    assert terminal[0].returncode == 7, output
    assert "INTERRUPTED" in output and "did not end" not in output


def test_the_answer_is_the_line_typed(tmp_path: Path) -> None:
    for typed, said in ((b"y\n", "True"), (b"YES\n", "True"), (b"n\n", "False"), (b"\n", "False")):
        terminal = spawn_on_a_terminal([sys.executable, "-c", PROMPT], {}, tmp_path)
        output = converse(terminal, [(b"Go ahead? [y/N]", typed)]).decode()
        assert terminal[0].returncode == 0, output
        assert f"ANSWER {said}" in output, (typed, output)


def test_end_of_input_is_no(tmp_path: Path) -> None:
    terminal = spawn_on_a_terminal([sys.executable, "-c", PROMPT], {}, tmp_path)
    output = converse(terminal, [(b"Go ahead? [y/N]", b"\x04")]).decode()  # Ctrl-D
    assert terminal[0].returncode == 0, output
    assert "ANSWER False" in output
