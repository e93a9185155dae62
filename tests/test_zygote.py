"""The zygote's runs (tests/zygote.py) end as fresh interpreters do: what tests moved there
from `python -m drift` see of a process's end must be what a user's drift would do."""

from __future__ import annotations

import os
import signal

import pytest

from tests.cliutil import REPO, buffered, python_module


@pytest.mark.parametrize(
    ("raised", "code"),
    [
        ("KeyboardInterrupt", -signal.SIGINT),  # Modules/main.c exit_sigint: killed by SIGINT
        ("Interrupted", 1),  # a subclass: `PyErr_Occurred() == PyExc_KeyboardInterrupt` only
        ("ValueError", 1),
    ],
)
def test_an_uncaught_exception_ends_a_run_as_it_ends_a_fresh_interpreter(
    raised: str, code: int
) -> None:
    env = {**buffered(), "PYTHONPATH": str(REPO)}
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        pytest.skip("compares a zygote run with a fresh interpreter")
    fresh = python_module("tests.uncaught", raised, env=env, fork=False)
    forked = python_module("tests.uncaught", raised, env=env, fork=True)
    assert fresh.returncode == code, fresh.stderr
    assert forked.returncode == code, forked.stderr
    assert forked.stdout == fresh.stdout == "said before the end\n"
    last = fresh.stderr.splitlines()[-1]
    assert last.endswith(f"{raised}: ended"), fresh.stderr
    assert forked.stderr.splitlines()[-1] == last, forked.stderr
