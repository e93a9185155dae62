"""A third signal while the fix's task still has a cancellation it has not taken back (the
second cut the canary's cleanup; the task is still unwinding, here its Cloud Run session
closing slowly): `drift.cli.session._ctrl_c_rearmed` raises KeyboardInterrupt out of the
event loop, as asyncio does for a task that does not stop. The line said "interrupted:
nothing was changed" (`drift fix`'s fallback), with asyncio's "unhandled exception during
asyncio.run() shutdown" traceback, while the journal records the canary written and its
cleanup cut. It must say what the journal says was written."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drift.fix.journal import Journal, State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import spawn_as_a_terminal_does
from tests.reliability.test_interruption import FIX_WEB, operations

HOOK = """
import asyncio, pathlib, sys
from drift.cli import main
from drift.live.session import Session

closed = Session.__aexit__

async def __aexit__(self, kind, value, traceback):
    if kind is not None:  # the fix's task unwinding after a Ctrl-C: a slow close
        pathlib.Path("closing").touch()
        await asyncio.sleep(30)
    return await closed(self, kind, value, traceback)

Session.__aexit__ = __aexit__
main()
"""
"""`python -c HOOK drift-args…`: the fix's Cloud Run session, closed after an exception, takes
30 s (and says when it begins, in the file `closing`)."""


def wait_for(proc: subprocess.Popen[str], ready: object, deadline: float) -> None:
    while not ready():  # type: ignore[operator]
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the process never got there"
        time.sleep(0.05)


def test_a_third_signal_says_what_the_journal_says_was_written(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000))  # no deploy ever ends
    journal = Journal(tmp_path / ".drift" / "journal")
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(journal.directory)}
    proc: subprocess.Popen[str] = spawn_as_a_terminal_does(
        [sys.executable, "-c", HOOK, *FIX_WEB],
        env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 60
    wait_for(proc, lambda: operations(sandbox) > 0, deadline)  # the canary deploys
    proc.send_signal(signal.SIGINT)  # 1: cleaned up as a "no"
    wait_for(proc, lambda: sum(c.short == "UpdateService" for c in sandbox.calls) >= 2, deadline)
    wait_for(proc, lambda: operations(sandbox) > 1, deadline)  # the cleanup's deploy waits
    proc.send_signal(signal.SIGINT)  # 2: the cleanup is cut
    wait_for(proc, (tmp_path / "closing").exists, deadline)
    proc.send_signal(signal.SIGINT)  # 3: while the task still unwinds
    out, err = proc.communicate(timeout=20)
    (entry,) = journal.entries()
    assert entry.state == State.CLEANING_UP and entry.wrote, entry.state
    assert proc.returncode == 4, err
    assert "Traceback" not in out + err, err
    assert "nothing was changed" not in err, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("drift: error: interrupted: web: "), err
    assert f"the canary {entry.canary_revision} was being removed" in line, err
    assert f"`drift rollback {entry.change_id}`" in line, err


def test_a_fix_that_could_not_say_where_it_stands_says_what_its_journal_records(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The fallback when the loop ended with no line from the fix (`drift.cli.session.run`):
    what the journal records of a change begun since the fix started, never "nothing was
    changed" once it records a write; "nothing was changed" while it records none."""
    from drift.cli.session import run
    from drift.cli.signals import journal_says
    from drift.errors import ExitCode, Interrupted
    from tests.cliutil import drift

    journal = tmp_path / ".drift" / "journal"
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(journal)}

    async def escaped() -> None:  # a KeyboardInterrupt out of the event loop
        raise KeyboardInterrupt

    def line(what: Callable[[], str]) -> str:
        with pytest.raises(Interrupted) as raised:
            run(escaped(), interrupted=ExitCode.ABORTED, what=what)
        return raised.value.message

    said = journal_says(journal)
    assert line(said) == "interrupted: nothing was changed"
    fixed = drift(*FIX_WEB, "--no-verify", env=env, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    (entry,) = Journal(journal).entries()
    assert line(said) == (
        f"interrupted: the journal {journal} records change {entry.change_id} written "
        f"(web: promoted): `drift rollback {entry.change_id}` puts back what served"
    )
    assert line(journal_says(journal)) == "interrupted: nothing was changed"  # an older one
