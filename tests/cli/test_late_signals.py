"""Ctrl-C always ends a wait, even when its signal is handled before the wait begins (a loaded
machine stops the process right there): the C-level handler has run, and a plain blocking read
or event-loop wait would go on until something else wakes it. Two waits: a prompt's answer
(`drift.cli.prompt._answer`) and the event loop (`drift.cli.loop.run`). Here the signal is
made to land where the wait cannot see it: the main thread blocks SIGINT, so another thread
takes it, which leaves the process in the state the early signal leaves it in.

The programs run through the zygote (`python_argv`, `python_code`: a process of its own, the
terminal's signals passed on to it), but two that prove what an interpreter does at its ends:
the exec() one (CPython's own flag, read after finalisation, which the zygote cannot see) and
the one that asks which modules a fresh interpreter has imported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.cliutil import REPO, python_argv, python_code
from tests.fix.terminal import converse, spawn_on_a_terminal

PROMPT = """
import signal, sys, threading, time
from drift.cli.prompt import PromptUI

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
    terminal = spawn_on_a_terminal([*python_argv(), "-c", PROMPT], {}, tmp_path)
    output = converse(terminal, [(b"Go ahead? [y/N]", signal.SIGINT)]).decode()
    assert terminal[0].returncode == 7, output
    assert "INTERRUPTED" in output and "did not end" not in output


LOOP = """
import asyncio, signal, sys, threading, time
from drift.cli.loop import run
from drift.errors import Interrupted

threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # the other thread takes Ctrl-C

async def wait_forever():
    print("waiting for nothing", flush=True)
    await asyncio.Event().wait()  # no timer, no I/O: only a signal can end this

try:
    run(wait_forever())
except Interrupted as exc:
    print("INTERRUPTED", int(exc.exit_code), flush=True)
    sys.exit(5)
"""


def test_ctrl_c_that_the_event_loop_never_sees_still_ends_the_run(tmp_path: Path) -> None:
    terminal = spawn_on_a_terminal([*python_argv(), "-c", LOOP], {}, tmp_path)
    output = converse(terminal, [(b"waiting for nothing", signal.SIGINT)]).decode()
    assert terminal[0].returncode == 5, output
    assert "INTERRUPTED 3" in output and "did not end" not in output


def test_the_answer_is_the_line_typed(tmp_path: Path) -> None:
    for typed, said in ((b"y\n", "True"), (b"YES\n", "True"), (b"n\n", "False"), (b"\n", "False")):
        terminal = spawn_on_a_terminal([*python_argv(), "-c", PROMPT], {}, tmp_path)
        output = converse(terminal, [(b"Go ahead? [y/N]", typed)]).decode()
        assert terminal[0].returncode == 0, output
        assert f"ANSWER {said}" in output, (typed, output)


def test_end_of_input_is_no(tmp_path: Path) -> None:
    terminal = spawn_on_a_terminal([*python_argv(), "-c", PROMPT], {}, tmp_path)
    output = converse(terminal, [(b"Go ahead? [y/N]", b"\x04")]).decode()  # Ctrl-D
    assert terminal[0].returncode == 0, output
    assert "ANSWER False" in output


EXEC_INTERRUPTED = """
import sys
import drift.cli.session as session

def interrupted(*args, **kwargs):
    # a Ctrl-C while a module builds a dataclass: raised inside an exec() of a string
    exec("raise KeyboardInterrupt")

session.overlapped = interrupted
sys.argv = ["drift", "check", "staging", "--profiles", sys.argv[1]]
from drift.cli import main
main()
"""


def test_a_ctrl_c_inside_an_exec_of_a_string_still_exits_with_drifts_code(tmp_path: Path) -> None:
    """CPython 3.11 ends a `python -m` process by SIGINT after a KeyboardInterrupt escaped an
    exec() of a string, however it was handled (seen as exit -2 in 1 of ~40 Ctrl-Cs while the
    profile was read): drift's message and exit code must stand."""
    (tmp_path / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api: {}\n"
    )
    (tmp_path / "interrupted_in_exec.py").write_text(EXEC_INTERRUPTED)
    done = subprocess.run(
        [sys.executable, "-m", "interrupted_in_exec", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.stderr.strip().splitlines() == [
        "drift: error: interrupted: before anything was read from Google Cloud or changed"
    ]
    assert done.returncode == 3


SWALLOWED = """
import signal, sys
from pathlib import Path
signal.signal(signal.SIGINT, signal.default_int_handler)
from drift.cli.session import Invocation
from drift.errors import Interrupted

try:
    Invocation("staging", Path("profiles")).load("tests.cli.swallowed_ctrl_c", clients=False)
except Interrupted as exc:
    print("INTERRUPTED", int(exc.exit_code), exc.message, flush=True)
    sys.exit(5)
print("went on", flush=True)
"""


def test_a_ctrl_c_that_python_swallows_while_the_profile_is_read_still_ends_the_run() -> None:
    """A Ctrl-C whose KeyboardInterrupt lands in a `__del__` or a weak reference's callback
    (an import's module lock has one: seen while the Google libraries are imported) is
    swallowed by CPython, which prints "Exception ignored"; drift went on to read Google
    Cloud. It is still the one line of an interrupted start, and nothing else is printed."""
    done = python_code(SWALLOWED, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 5, done.stdout + done.stderr
    assert done.stdout.split("\n")[0] == (
        "INTERRUPTED 3 interrupted: before anything was read from Google Cloud or changed"
    )
    assert done.stderr == ""


def test_a_ctrl_c_that_an_import_turns_into_another_error_still_ends_the_run() -> None:
    """A Ctrl-C while the Google libraries are imported can come out of the import as another
    error (CPython loses the KeyboardInterrupt while building an import's error message:
    "TypeError: expected a message argument"); drift said "internal error" and exit 2 (a red
    full run). A Ctrl-C was pressed: it is the one line of an interrupted start."""
    program = SWALLOWED.replace("tests.cli.swallowed_ctrl_c", "tests.cli.ctrl_c_turned_error")
    done = python_code(program, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 5, done.stdout + done.stderr
    assert done.stdout.split("\n")[0] == (
        "INTERRUPTED 3 interrupted: before anything was read from Google Cloud or changed"
    )
    assert done.stderr == ""


COMPARED = """
import importlib, signal, sys
from pathlib import Path
signal.signal(signal.SIGINT, signal.default_int_handler)
import drift.profiles.loader as loader
from drift.cli.session import Invocation
from drift.errors import Interrupted

read = loader.load_profile

def load_profile(folder, environment, **kw):
    if environment == "e2e":  # the second profile, read here while the child reads the first
        importlib.import_module("tests.cli.ctrl_c_turned_error")
    return read(folder, environment, **kw)

loader.load_profile = load_profile
invocation = Invocation("staging", Path("profiles"))
try:
    invocation.pair(invocation.settings(), "staging", "e2e")
except Interrupted as exc:
    print("INTERRUPTED", int(exc.exit_code), exc.message, flush=True)
    sys.exit(5)
print("went on", flush=True)
"""


def test_a_ctrl_c_that_an_import_turns_into_another_error_still_ends_a_comparison() -> None:
    """The same while `drift compare` reads its two profiles at once."""
    done = python_code(COMPARED, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 5, done.stdout + done.stderr
    assert done.stdout.split("\n")[0] == "INTERRUPTED 3 interrupted: nothing was compared"
    assert done.stderr == ""


def test_a_prompt_outside_an_event_loop_imports_no_asyncio() -> None:
    """A prompt asks whether a Ctrl-C cancelled an event loop's task before it
    (`drift.cli.signals.cancelled_before`); outside any loop that question must not import
    asyncio (and ssl) just as the user presses Ctrl-C: the signal then lands inside the
    import, a traceback instead of "interrupted" (a red full run: "TypeError: expected a
    message argument" from `_ssl`)."""
    code = (
        "import sys\n"
        "from drift.cli.signals import cancelled_before\n"
        "assert 'asyncio' not in sys.modules\n"
        "assert cancelled_before() is False\n"
        "print('asyncio' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False", done.stdout
