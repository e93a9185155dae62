"""SIGTERM and SIGHUP are Ctrl-C for the whole command (`drift.cli.signals.whole_command`),
and a signal once the command has said how it ended no longer changes its exit code
(`drift.cli.signals.ending`). helper-521 sent 1,032 drift processes signals at random
moments: outside the steps that read or write, SIGTERM and SIGHUP ended drift by their
default action (no line, exit 143 or 129); a second Ctrl-C as the "interrupted" line printed,
or one as a whole report ended, turned exit 3 (or 0, 1) into 130. Each moment here is hit
exactly: a trace function raises the signal at the line, as the handler would run there."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from drift.sandbox import Sandbox, mint_test_jwt
from tests.cliutil import REPO, python_code

AT = """
import signal, sys
where, line, names = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
sys.argv = ["drift", *sys.argv[4:]]

def local(frame, event, arg):
    if event == "line" and line in open(frame.f_code.co_filename).readlines()[frame.f_lineno - 1]:
        sys.settrace(None)
        frame.f_trace = None
        for name in names:
            signal.raise_signal(getattr(signal, name))  # handled at the next bytecode
    return local

def tracer(frame, event, arg):
    return local if event == "call" and frame.f_code.co_name == where else None

sys.settrace(tracer)
from drift.cli import main
main()
"""
VALIDATE = ("profiles", "validate", "--profiles", "profiles")
DID_NOT_FINISH = "drift: error: interrupted: {} received: the command did not finish"


def _drift_at(
    where: str, line: str, signals: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`drift ARGS` in a process of its own, given `signals` as `where` reaches `line`."""
    return _python(AT, where, line, signals, *args, env=env)


def _python(
    code: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -c CODE ARGS` in a process of its own, this tree first on its path: forked
    from the zygote (`python_code`, a fresh interpreter under DRIFT_TESTS_FORK=0). What is hit
    is a line of a command's run, long after start; what start-up imports is not at stake
    (a step that imports still runs its line: `import_module` of a module already there)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    environ |= {**(env or {}), "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return python_code(code, *args, env=environ, cwd=REPO, timeout=60)


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_before_any_step_handles_it_is_one_line_naming_it(name: str) -> None:
    done = _drift_at("_main", "_any_locale()", name, *VALIDATE)
    assert done.stderr.splitlines() == [DID_NOT_FINISH.format(name)], done.stderr
    assert (done.returncode, done.stdout) == (3, "")


def test_sigterm_while_check_turns_what_it_read_into_a_report(sandbox: Sandbox) -> None:
    """After the reads (their own handling has ended), before the report is written."""
    done = _drift_at(
        "check",
        "report = result.report",
        "SIGTERM",
        "check",
        "staging",
        "--profiles",
        "profiles",
        env=sandbox.environ(),
    )
    assert done.stderr.splitlines() == [DID_NOT_FINISH.format("SIGTERM")], done.stderr
    assert (done.returncode, done.stdout) == (3, "")


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_once_the_outcome_is_said_leaves_its_exit_code(name: str) -> None:
    """The report is out, the exit code chosen: `main`'s last lines. The KeyboardInterrupt
    there was a traceback and exit 130."""
    done = _drift_at("_main", "gc.freeze()", name, *VALIDATE)
    assert done.stdout == "3 profiles valid: base, e2e, staging\n", done.stdout + done.stderr
    assert (done.returncode, done.stderr) == (0, "")


def test_a_second_signal_as_drift_ends_still_ends_it_by_that_signal() -> None:
    """An exit that hangs (a thread that never ends) can still be stopped: the first signal
    is ignored, a second has its default action."""
    done = _drift_at("_main", "gc.freeze()", "SIGTERM,SIGINT", *VALIDATE)
    assert done.returncode == -signal.SIGINT, done.stdout + done.stderr


WRITTEN = AT.replace(
    "from drift.cli import main\n",
    "from drift.cli import main\n"
    "class Stderr:\n"
    "    def __init__(self, real): self.real = real\n"
    "    def write(self, text):\n"
    "        if 'drift: error' in text:\n"
    "            signal.raise_signal(signal.SIGINT)  # as the line is written\n"
    "        return self.real.write(text)\n"
    "    def __getattr__(self, name): return getattr(self.real, name)\n"
    "sys.stderr = Stderr(sys.stderr)\n",
)


@pytest.mark.parametrize(
    ("first", "args", "line", "code"),
    [
        ("SIGTERM", VALIDATE, DID_NOT_FINISH.format("SIGTERM"), 3),
        ("", ("check", "nosuch", "--profiles", "profiles"), "drift: error: no profile", 2),
    ],
    ids=["interrupted", "an-error"],
)
def test_a_ctrl_c_while_the_last_line_is_written_leaves_it_and_its_exit_code(
    first: str, args: tuple[str, ...], line: str, code: int
) -> None:
    """A second Ctrl-C (or `kill` sent twice) as drift says it was interrupted, or a Ctrl-C
    as it says why it stopped: the line is said whole, its exit code stands (the
    KeyboardInterrupt there was a traceback and exit 130)."""
    point = ("_main", "_any_locale()", first) if first else ("-", "-", "SIGINT")
    done = _python(WRITTEN, *point, *args)
    assert done.stderr.splitlines()[0].startswith(line), done.stderr
    assert "Traceback" not in done.stderr
    assert done.returncode == code


@pytest.mark.parametrize(
    ("where", "line"),
    [("_main", "_ending()"), ("ending", "numbers = [")],
    ids=["finally", "ending"],
)
def test_a_signal_before_the_handlers_for_the_end_are_in_place_changes_nothing(
    where: str, line: str
) -> None:
    """The outcome is decided (the report is out) but the handlers that keep it are not yet
    in place: the KeyboardInterrupt there is taken as they would take it."""
    done = _drift_at(where, line, "SIGTERM", *VALIDATE)
    assert done.stdout == "3 profiles valid: base, e2e, staging\n", done.stdout + done.stderr
    assert (done.returncode, done.stderr) == (0, "")


def test_a_ctrl_c_as_an_except_clause_begins_is_still_one_line() -> None:
    """Before the clause's first call (it would have said why drift stopped): no handling of
    the command's sees it; `main`'s own does."""
    done = _drift_at(
        "_main", "_ending()  # what it ends with is decided", "SIGINT", "check", "nosuch"
    )
    line = "drift: error: interrupted: the command did not finish"  # Ctrl-C: not "received"
    assert done.stderr.splitlines() == [line], done.stderr
    assert done.returncode == 3


def test_once_the_exit_handlers_ran_the_signals_are_ignored() -> None:
    """CPython puts a signal handled from Python back to its default action as it finalizes
    (`_PySignal_Fini`), and a signal in those last milliseconds ended the process by it after
    drift chose its exit code; an ignored one stays ignored."""
    code = (
        "import atexit, signal, sys\n"
        "from drift.cli import main\n"
        "sys.argv = ['drift', 'profiles', 'validate', '--profiles', 'profiles']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "atexit._run_exitfuncs()\n"
        "print([signal.getsignal(n) is signal.SIG_IGN for n in (2, 15, 1)])\n"
    )
    done = _python(code)
    assert done.stdout.splitlines()[-1] == "[True, True, True]", done.stdout + done.stderr


@pytest.mark.parametrize(("dry_run", "code"), [(True, 3), (False, 4)], ids=["dry-run", "fix"])
def test_sigterm_while_fix_reads_says_nothing_was_changed(
    sandbox: Sandbox, tmp_path: Path, dry_run: bool, code: int
) -> None:
    """Inside the event loop, as the fix's work begins: a dry run stopped is incomplete, 3 (it never
    exits 4, the README says: nothing was aborted); a fix stopped before any write is an
    abort, 4."""
    done = _drift_at(
        "_woken",
        "loop = asyncio.get_running_loop()",
        "SIGTERM",
        "fix",
        "staging",
        *(["--dry-run"] if dry_run else ["--yes"]),
        "--profiles",
        "profiles",
        "--journal",
        str(tmp_path / "journal"),
        env={**sandbox.environ(), "ACME_TEST_JWT": _token(sandbox)},
    )
    assert done.stderr.splitlines()[-1] == (
        "drift: error: interrupted: SIGTERM received: nothing was changed"
    ), done.stderr
    assert done.returncode == code


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_while_rollback_lists_is_incomplete_not_an_abort(
    sandbox: Sandbox, tmp_path: Path, name: str
) -> None:
    """`rollback --list` only lists: stopped, nothing was aborted, so it exits 3 as a dry run
    does (README), never 4 — which a script takes for "a rollback was aborted"."""
    done = _drift_at(
        "_woken",
        "loop = asyncio.get_running_loop()",
        name,
        "rollback",
        "--list",
        "--journal",
        str(tmp_path / "journal"),
        env=sandbox.environ(),
    )
    said = "" if name == "SIGINT" else f"{name} received: "
    assert done.stderr.splitlines()[-1] == (
        f"drift: error: interrupted: {said}nothing was changed"
    ), done.stderr
    assert done.returncode == 3


def _token(sandbox: Sandbox) -> str:
    return mint_test_jwt(sandbox.secret_value("acme-chat-staging", "jwt-secret-staging"))


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_while_the_profile_is_read_is_named_in_the_line(name: str) -> None:
    """The step's own line ("before anything was read …") names the signal, as the steps that
    read or write name it: it said "interrupted: before anything was read" after a SIGTERM."""
    done = _drift_at(
        "meanwhile", "importlib.import_module(module)", name, "check", "staging",
        "--profiles", "profiles",
    )  # fmt: skip
    assert done.stderr.splitlines() == [
        f"drift: error: interrupted: {name} received: before anything was read from Google "
        "Cloud or changed"
    ], done.stderr
    assert done.returncode == 3


def test_an_error_a_library_made_of_a_signals_interrupt_is_the_interrupted_line() -> None:
    """pydantic-core, building a model's schema as SIGHUP's KeyboardInterrupt landed, raised a
    SchemaError around it: "internal error: SchemaError: … KeyboardInterrupt", exit 2
    (helper-524 N5). After SIGTERM or SIGHUP, an error is the interrupt's line, exit 3."""
    code = (
        "import sys\n"
        "import drift.cli.root\n"
        "from drift import interrupts\n"
        "def broken(*a, **k):\n"
        "    interrupts.received('SIGHUP')  # as the handler records it, then raises\n"
        "    raise RuntimeError('Error building validator: KeyboardInterrupt:')\n"
        "drift.cli.root.command_of = broken\n"
        "from drift.cli import main\n"
        "sys.argv = ['drift', 'profiles', 'validate', '--profiles', 'profiles']\n"
        "main()\n"
    )
    done = _python(code)
    assert done.stderr.splitlines() == [DID_NOT_FINISH.format("SIGHUP")], done.stderr
    assert done.returncode == 3
