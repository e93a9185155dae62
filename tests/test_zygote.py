"""The zygote's runs (tests/zygote.py) end as fresh interpreters do: what tests moved there
from `python -m drift` see of a process's end must be what a user's drift would do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.cliutil import (
    REPO,
    ZYGOTE,
    buffered,
    ctrl_c_as_a_terminal_has_it,
    python_code,
    python_module,
)


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


@pytest.mark.parametrize("ignored", [(), (signal.SIGINT, signal.SIGHUP)])
def test_a_signal_ignored_where_the_run_starts_stays_ignored(ignored: tuple[int, ...]) -> None:
    """`drift &` from a script (SIGINT ignored), `nohup drift` (SIGHUP): exec keeps SIG_IGN
    and CPython installs its KeyboardInterrupt handler only for a SIGINT not ignored. The
    stand-in says which it found ignored (tests/zygote_client.py); the run has them so."""
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        pytest.skip("compares a zygote run with a fresh interpreter")
    env = {**buffered(), "PYTHONPATH": str(REPO)}
    trap = f"trap '' {' '.join(signal.Signals(n).name[3:] for n in ignored)}; " if ignored else ""
    with ctrl_c_as_a_terminal_has_it():  # not the suite's own ignored SIGINT (`make test &`)
        fresh = subprocess.run(
            [
                "sh",
                "-c",
                trap + 'exec "$@"',
                "sh",
                sys.executable,
                "-m",
                "tests.uncaught",
                "signals",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=60,
        )
    request = {"args": ["signals"], "module": "tests.uncaught", "env": env, "cwd": str(REPO)}
    forked = ZYGOTE.run({**request, "ignored": [int(n) for n in ignored]}, None, 60)
    assert fresh.returncode == forked["code"] == 0, (fresh.stderr, forked["stderr"])
    assert forked["stdout"] == fresh.stdout
    expected = "SIGINT SIG_IGN\nSIGHUP SIG_IGN\n" if ignored else "SIGINT default_int_handler\n"
    assert fresh.stdout.startswith(expected), fresh.stdout


WHERE = """
import sys
print(sys.argv, repr(sys.path[0]), __name__, sys.modules["__main__"].__dict__ is globals())
import tests
print(tests.__path__)
raise KeyboardInterrupt("ended")
"""


def test_a_program_given_with_dash_c_runs_as_python_dash_c_runs_it() -> None:
    """`python -c CODE ARGS` through the zygote (tests/cliutil.py `python_code`, the `python`
    stand-in): the same argv, first path entry, `__main__`, imports from the working
    directory, and end (an uncaught KeyboardInterrupt: killed by SIGINT) as a fresh one."""
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        pytest.skip("compares a zygote run with a fresh interpreter")
    env = {**buffered(), "PYTHONPATH": str(REPO)}
    fresh = subprocess.run(
        [sys.executable, "-c", WHERE, "a", "-b"], capture_output=True, text=True, env=env, cwd=REPO
    )
    forked = python_code(WHERE, "a", "-b", env=env)
    assert fresh.returncode == -signal.SIGINT, fresh.stderr
    assert forked.returncode == fresh.returncode, forked.stderr
    assert forked.stdout == fresh.stdout, fresh.stdout
    assert forked.stderr.splitlines()[-1] == fresh.stderr.splitlines()[-1], forked.stderr


STREAMS = """
import sys
print([(s.encoding, s.errors) for s in (sys.stdin, sys.stdout, sys.stderr)])
sys.stderr.write("\\u2014 \\xe9\\n")
"""


@pytest.mark.parametrize("setting", ["latin-1", "cp1252:replace", "utf-8", "ascii:"])
def test_a_run_under_pythonioencoding_has_the_streams_a_fresh_interpreter_has(
    setting: str,
) -> None:
    """A locale's encoding of the standard streams (tests/encoding, the Latin-1 runs of
    tests/cli/test_outputs_unlucky.py) as a fresh interpreter has it, through the zygote: its
    name as the codec registry spells it, the errors PYTHONIOENCODING gives ("strict" when it
    names an encoding only), standard error's backslashreplace."""
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        pytest.skip("compares a zygote run with a fresh interpreter")
    env = {**buffered(), "PYTHONPATH": str(REPO), "PYTHONIOENCODING": setting}
    fresh = subprocess.run([sys.executable, "-c", STREAMS], capture_output=True, env=env, cwd=REPO)
    # the bytes read as the zygote's are (tests/zygote.py `text_of`): é in Latin-1 is not UTF-8
    out, err = (b.decode("utf-8", "replace") for b in (fresh.stdout, fresh.stderr))
    forked = python_code(STREAMS, env=env)
    assert fresh.returncode == forked.returncode == 0, (err, forked.stderr)
    assert forked.stdout == out, (forked.stdout, out)
    assert forked.stderr == err, (forked.stderr, err)


def test_a_run_under_an_unknown_pythonioencoding_fails_as_start_up_does() -> None:
    """A fresh interpreter cannot start under PYTHONIOENCODING that names no codec: exit 1,
    "LookupError: unknown encoding: …" (the run must not go on, nor end 0)."""
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        pytest.skip("compares a zygote run with a fresh interpreter")
    env = {**buffered(), "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "no-such-codec"}
    fresh = subprocess.run(
        [sys.executable, "-c", "print(1)"], capture_output=True, text=True, env=env, cwd=REPO
    )
    forked = python_code("print(1)", env=env)
    line = "LookupError: unknown encoding: no-such-codec"
    assert fresh.returncode == forked.returncode == 1, (fresh.stderr, forked.stderr)
    assert fresh.stdout == forked.stdout == ""
    assert line in fresh.stderr.splitlines() and line in forked.stderr.splitlines(), forked.stderr
