"""A Ctrl-C (or SIGTERM, SIGHUP taken as one) that lands while asyncio builds the command's
event loop, or closes it, is held until the loop is whole, then delivered (`drift.cli.loop`).
It used to leave a loop half made; collected later, its `__del__` failed on the missing part:
"Exception ignored in: <function BaseEventLoop.__del__>" and an AttributeError traceback under
the "interrupted" line (a fresh clone's `make test`: tests/cli/test_terminated_read.py, a
`drift history` given SIGTERM as it began). The window is a few bytecodes wide: the signal is
raised from a trace function at the exact line, as the handler would run there."""

from __future__ import annotations

import os
import subprocess

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, python_code

TRACED = """
import gc, signal, sys
where, line = sys.argv[1], sys.argv[2]
number = getattr(signal, sys.argv[3]) if len(sys.argv) > 3 else signal.SIGINT
passes = [int(sys.argv[4]) if len(sys.argv) > 4 else 1]  # at the line's Nth run

def local(frame, event, arg):
    if event == "line" and line in open(frame.f_code.co_filename).readlines()[frame.f_lineno - 1]:
        passes[0] -= 1
        if passes[0]:
            return local
        sys.settrace(None)
        frame.f_trace = None
        signal.raise_signal(number)  # its handler runs at the next bytecode
    return local

def tracer(frame, event, arg):
    return local if event == "call" and frame.f_code.co_name == where else None
"""
RUN = (
    TRACED
    + """
from drift.cli.loop import run
from drift.errors import Interrupted

async def work():
    return "done"

sys.settrace(tracer)
try:
    print(run(work()))
except Interrupted as exc:
    print(exc.message)
sys.settrace(None)
gc.collect()  # a loop left half made is collected here: its __del__ closes it
print("collected")
"""
)
# (the function, a line in it): built before its self-pipe; closed with the self-socket gone;
# asyncio.Runner.close between its steps (each step's coroutine was left never awaited)
WINDOWS = [
    ("_make_self_pipe", "self._ssock, self._csock = socket.socketpair()", "1"),
    ("_close_self_pipe", "self._csock.close()", "1"),
    # `run_until_complete` entered with the step's coroutine made: the 1st is the work's own
    ("run_until_complete", "self._check_closed()", "2"),
    ("run_until_complete", "self._check_closed()", "3"),
]


def _traced(
    code: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -c CODE ARGS` forked from the zygote (`python_code`; a fresh interpreter under
    DRIFT_TESTS_FORK=0): the window is in a command's run, not its start-up."""
    environ = {**os.environ, **(env or {}), "PYTHONPATH": str(REPO)}
    return python_code(code, *args, env=environ, cwd=REPO, timeout=60)


@pytest.mark.parametrize(
    ("where", "line", "nth"), WINDOWS, ids=["building", "closing", "asyncgens", "executor"]
)
def test_a_ctrl_c_while_the_loop_is_built_or_closed_is_held_then_delivered(
    where: str, line: str, nth: str
) -> None:
    done = _traced(RUN, where, line, "SIGINT", nth)
    # the interrupt was delivered: the run says so (it did not go on to return "done")
    assert done.stdout.splitlines() == ["interrupted: the check is incomplete", "collected"], (
        done.stdout + done.stderr
    )
    assert "Exception ignored" not in done.stderr, done.stderr
    assert "never awaited" not in done.stderr, done.stderr  # the work stopped unstarted is closed
    assert done.stderr == "", done.stderr


def test_without_a_ctrl_c_the_work_runs_on_that_loop_and_the_loop_is_closed() -> None:
    code = TRACED + (
        "import asyncio, warnings\n"
        "warnings.simplefilter('error', ResourceWarning)\n"
        "from drift.cli.loop import run\n"
        "async def work():\n"
        "    global loop\n"
        "    loop = asyncio.get_running_loop()\n"
        "    return type(loop).__name__\n"
        "print(run(work()), loop.is_closed())\n"
    )
    done = _traced(code, "-", "-")
    assert done.stdout.split() == ["WholeLoop", "True"], done.stdout + done.stderr
    assert done.stderr == ""


def test_sigterm_as_history_builds_its_loop_is_one_line(sandbox: Sandbox) -> None:
    """The whole command: `drift history staging` given the signal (SIGTERM, as `timeout` and
    CI send it) as its loop is built."""
    code = TRACED + (
        "from drift.cli import main\n"
        "sys.argv = ['drift', 'history', 'staging', '--profiles', 'profiles']\n"
        "sys.settrace(tracer)\n"
        "main()\n"
    )
    where, line, _ = WINDOWS[0]
    done = _traced(code, where, line, "SIGTERM", env=sandbox.environ())
    assert done.stderr.splitlines() == [
        "drift: error: interrupted: SIGTERM received: the history is incomplete"
    ], done.stderr
    assert done.returncode == 3
