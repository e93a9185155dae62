"""The cases of tests/cli/test_overlap.py, each run in a process of its own
(`python -m tests.cli.overlap_cases CASE`): a pytest worker runs threads, and
`drift.cli.overlap` never forks a process with threads. Exit 0 when the case holds."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from drift.cli.overlap import SERIAL, overlapped

HERE = os.getpid()


def _where() -> int:
    return os.getpid()


def _no_children() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def in_a_child() -> None:
    seen: list[int] = []
    result = overlapped(_where, lambda: seen.append(os.getpid()))
    assert seen == [HERE], seen
    assert result != HERE, "computed here, not by the child"
    assert _no_children()


def serial() -> None:
    os.environ[SERIAL] = "1"
    assert overlapped(_where, lambda: None) == HERE


def child_fails() -> None:
    def work() -> int:
        if os.getpid() != HERE:
            raise RuntimeError("only the child fails")
        return 7

    assert overlapped(work, lambda: None) == 7
    assert _no_children()


def child_killed() -> None:
    def work() -> int:
        if os.getpid() != HERE:
            os.kill(os.getpid(), signal.SIGKILL)
        return 8

    assert overlapped(work, lambda: None) == 8
    assert _no_children()


def cannot_travel() -> None:
    def work() -> object:
        return (lambda: None) if os.getpid() != HERE else "here"

    assert overlapped(work, lambda: None) == "here"


def error_once() -> None:
    """The work's error is raised here, by this process's own run; what the child printed
    is discarded (the test reads this process's output)."""
    calls: list[int] = []

    def work() -> None:
        print("printed by the work", flush=True)  # noqa: T201
        calls.append(os.getpid())
        raise ValueError("bad profile")

    try:
        overlapped(work, lambda: None)
    except ValueError as exc:
        assert str(exc) == "bad profile"
    else:
        raise AssertionError("no error")
    assert calls == [HERE], calls


def interrupted() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = Path(tmp) / "child"

        def work() -> None:
            written = started.with_suffix(".tmp")
            written.write_text(str(os.getpid()))
            written.replace(started)  # whole, or not there
            signal.pause()  # parses forever: only the parent can end it

        def meanwhile() -> None:
            while not started.exists():
                pass
            raise KeyboardInterrupt

        try:
            overlapped(work, meanwhile)
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the interrupt was swallowed")
        assert _no_children()
        try:
            os.kill(int(started.read_text()), 0)
        except ProcessLookupError:
            return
        raise AssertionError("the child still runs")


def stuck() -> None:
    """A child that never answers is stopped once PATIENCE runs out; the work is done here."""
    import drift.cli.overlap as overlap

    overlap.PATIENCE = 0.5

    def work() -> int:
        if os.getpid() != HERE:
            signal.pause()
        return 9

    assert overlapped(work, lambda: None) == 9
    assert _no_children()


def no_fork() -> None:
    """fork fails (a process limit): the work is done here, and Ctrl-C is not left blocked."""

    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    os.fork = refuse
    assert overlapped(_where, lambda: None) == HERE
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())


def threads() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert overlapped(_where, lambda: None) == HERE
    finally:
        release.set()
        other.join()


CASES: dict[str, Callable[[], None]] = {
    f.__name__: f
    for f in (in_a_child, serial, child_fails, child_killed, cannot_travel, error_once)
    + (interrupted, stuck, no_fork, threads)
}

if __name__ == "__main__":
    CASES[sys.argv[1]]()
