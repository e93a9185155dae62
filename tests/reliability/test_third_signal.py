"""A third signal while the fix's task still has a cancellation it has not taken back (the
second cut the canary's cleanup; the task is still unwinding, here its Cloud Run session
closing slowly): `drift.cli.loop._ctrl_c_rearmed` raises KeyboardInterrupt out of the
event loop, as asyncio does for a task that does not stop. The line said "interrupted:
nothing was changed" (`drift fix`'s fallback), with asyncio's "unhandled exception during
asyncio.run() shutdown" traceback, while the journal records the canary written and its
cleanup cut. It must say what the journal says was written."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drift.fix.journal import Journal, State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import python_argv, spawn_as_a_terminal_does
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


FIX_API = [*FIX_WEB[:3], "--service", "api", *FIX_WEB[5:]]


def test_a_third_signal_says_what_the_journal_says_was_written(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000))  # no deploy ever ends
    journal = Journal(tmp_path / ".drift" / "journal")
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(journal.directory)}
    # through the zygote (`python_argv`): what it proves happens at the third signal, long
    # after start
    proc: subprocess.Popen[str] = spawn_as_a_terminal_does(
        [*python_argv(), "-c", HOOK, *FIX_WEB],
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
    assert proc.returncode == 3, err  # the cleanup's outcome unknown (helper-661 B4)
    assert "Traceback" not in out + err, err
    assert "nothing was changed" not in err, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("drift: error: interrupted: web: "), err
    assert f"the canary {entry.canary_revision} was being removed" in line, err
    assert f"`drift rollback {entry.change_id}`" in line, err


def test_a_fix_that_could_not_say_where_it_stands_says_what_its_journal_records(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The fallback when the loop ended with no line from the fix (`drift.cli.loop.run`):
    what the journal records of the fix's own change, never "nothing was changed" once it
    records a write; "nothing was changed" while it records none, or before the fix took a
    change id. Another drift's change in the same journal (SPEC invariants 5 and 11: one
    journal per project, locks per service) is never named (revown39 F1)."""
    from drift.cli.signals import JournalSays
    from tests.cliutil import drift

    journal = tmp_path / ".drift" / "journal"
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(journal)}
    said = JournalSays(journal)
    assert fallback(said) == "interrupted: nothing was changed"
    # another terminal's fix (api) lands while this one has taken no change id yet
    theirs = drift(*FIX_API, "--no-verify", env=env, cwd=tmp_path)
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr
    assert fallback(said) == "interrupted: nothing was changed"
    # this fix (web, run here by another process standing for it) and its change id
    mine = drift(*FIX_WEB, "--no-verify", env=env, cwd=tmp_path)
    assert mine.returncode == 0, mine.stdout + mine.stderr
    web = next(e for e in Journal(journal).entries() if e.service == "web")
    said.began(web.change_id)
    again = drift(*FIX_API, "--no-verify", "--yes", env=env, cwd=tmp_path)  # theirs, after
    assert "Traceback" not in again.stdout + again.stderr
    assert fallback(said) == (
        f"interrupted: the journal {journal} records change {web.change_id} written "
        f"(web: promoted): `drift rollback {web.change_id}` puts back what served"
    )
    other = JournalSays(journal)
    other.began("20260101T000000Z-none")  # a change id that wrote nothing
    assert fallback(other) == "interrupted: nothing was changed"


def fallback(what: Callable[[], str]) -> str:
    """The line `run` ends with when a KeyboardInterrupt leaves the event loop."""
    from drift.cli.loop import run
    from drift.errors import ExitCode, Interrupted

    async def escaped() -> None:
        raise KeyboardInterrupt

    with pytest.raises(Interrupted) as raised:
        run(escaped(), interrupted=ExitCode.ABORTED, what=what)
    return raised.value.message
