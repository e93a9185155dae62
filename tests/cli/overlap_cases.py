"""The cases of tests/cli/test_overlap.py, each run in a process of its own
(`python -m tests.cli.overlap_cases CASE`): a pytest worker runs threads, and
`drift.cli.overlap` never forks a process with threads. Exit 0 when the case holds."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
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


def _raising(error: Exception, runs: Path) -> Callable[[], None]:
    """Work that writes down the process it runs in, then raises `error`."""

    def work() -> None:
        with runs.open("a") as out:
            out.write(f"{os.getpid()}\n")
        raise error

    return work


def _raised_here(work: Callable[[], None], errors: tuple[type[Exception], ...]) -> Exception:
    try:
        overlapped(work, lambda: None, errors=errors)
    except Exception as exc:  # noqa: BLE001 - the case looks at what it is
        return exc
    raise AssertionError("no error")


def error_travels() -> None:
    """A refusal of the kinds named (here drift's ProfileError, whose __init__ takes problems,
    not its message) comes from the child whole, and the work is not done twice."""
    from drift.errors import DriftError, Problem, ProfileError

    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        problem = Problem("env.yaml", 4, "unknown key 'serivces'")
        raised = _raised_here(_raising(ProfileError([problem]), runs), (DriftError,))
        pids = runs.read_text().split()
        assert len(pids) == 1 and int(pids[0]) != HERE, pids  # once, in the child
        assert type(raised) is ProfileError, raised
        assert raised.diagnostics() == ProfileError([problem]).diagnostics()
        assert raised.problems == (problem,) and raised.exit_code == ProfileError.exit_code
        assert _no_children()


def error_with_a_cause_is_raised_here() -> None:
    """An error with a cause (which pickling would drop, and --verbose shows), or of a kind not
    named, is raised by this process's own run of the work."""
    from drift.errors import DriftError, UsageError

    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        caused = UsageError("cannot read the settings")
        caused.__cause__ = OSError("disk on fire")
        raised = _raised_here(_raising(caused, runs), (DriftError,))
        pids = [int(p) for p in runs.read_text().split()]
        assert len(pids) == 2 and pids[0] != HERE and pids[1] == HERE, pids
        assert isinstance(raised.__cause__, OSError)
        runs.unlink()
        raised = _raised_here(_raising(UsageError("not named"), runs), ())
        pids = [int(p) for p in runs.read_text().split()]
        assert len(pids) == 2 and pids[1] == HERE, pids


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
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    assert not blocked & {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}, blocked


def signals_in_the_child() -> None:
    """The child ends at Ctrl-C, SIGTERM and SIGHUP by their default action, silently, not by
    the command's handlers it inherited (`drift.cli.signals.whole_command`: a KeyboardInterrupt
    in a child whose output goes nowhere); one ignored when drift started (`nohup`) stays
    ignored; and nothing is left blocked here."""
    from drift.cli.signals import whole_command

    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    whole_command()
    assert callable(signal.getsignal(signal.SIGTERM))

    def work() -> tuple[object, ...]:
        return tuple(signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))

    got = overlapped(work, lambda: None)
    assert got == (signal.SIG_DFL, signal.SIG_DFL, signal.SIG_IGN), got
    assert not signal.pthread_sigmask(signal.SIG_BLOCK, set())


def collector() -> None:
    """The child collects nothing (it ends once its result is written); this process's
    collector is as it was."""
    assert overlapped(gc.isenabled, lambda: None) is False
    assert gc.isenabled()


def session_load_freezes() -> None:
    """A command that owns its process: after the load the collector is on again, and what
    the load made (modules, settings, profile) is frozen, never scanned. One that does not
    (a test calling the CLI in-process) finds the collector as it left it."""
    from drift.cli.session import STATE, Invocation

    folder = Path(tempfile.mkdtemp())
    services = "".join(  # thousands of objects: past the collector's threshold, many times
        f"  svc-{n}:\n    env:\n" + "".join(f'      V{v}: "{n}-{v}"\n' for v in range(20))
        for n in range(100)
    )
    (folder / "staging.yaml").write_text(f"project: p\nregion: us-central1\nservices:\n{services}")
    os.chdir(folder)
    collections: list[int] = []
    gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(1))
    for owned in (False, True):
        STATE.owns_process = owned
        gc.unfreeze()
        collections.clear()
        _, profile = Invocation("staging", folder).load(clients=False)
        assert profile.services["svc-7"].env["V3"].value == "7-3"
        assert gc.isenabled()
        assert (gc.get_freeze_count() > 0) is owned, (owned, gc.get_freeze_count())
        assert bool(collections) is not owned, (owned, len(collections))
    gc.disable()  # switched off by whoever runs the command: left off
    Invocation("staging", folder).load(clients=False)
    assert not gc.isenabled()


def _child_ended() -> None:
    """Until the child has ended (its answer written), the child left to be reaped; at once
    when it was reaped already (a child that answered before the first step was looked at:
    `overlapped` took its answer and reaped it before taking the steps left)."""
    with contextlib.suppress(ChildProcessError):
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)


def steps_until_an_error() -> None:
    """A refusal the child sent is raised between `meanwhile`'s steps: the steps left (the
    imports of a run that ends there) are never taken (helper-633 F2)."""
    from drift.errors import DriftError, UsageError

    taken: list[str] = []

    def work() -> None:
        raise UsageError("no profile for environment 'nosuch'")

    def meanwhile() -> Iterator[None]:
        _child_ended()
        taken.append("first")
        for step in ("second", "third"):
            yield
            taken.append(step)

    try:
        overlapped(work, meanwhile, errors=(DriftError,))
    except UsageError as exc:
        assert "nosuch" in str(exc), exc
    else:
        raise AssertionError("no error")
    assert taken == ["first"], taken
    assert _no_children()


def steps_all_taken_with_a_result() -> None:
    """A result the child sent early: every step is still taken, here, before it is returned;
    with DRIFT_SERIAL=1 too, after the work."""

    def steps(taken: list[int], serial: str) -> Iterator[None]:
        yield
        if serial == "0":
            _child_ended()
        for _ in range(3):
            taken.append(os.getpid())
            yield

    for serial in ("0", "1"):
        os.environ[SERIAL] = serial
        taken: list[int] = []
        got = overlapped(_where, lambda t=taken, s=serial: steps(t, s))  # type: ignore[misc]
        assert (got != HERE) is (serial == "0"), (serial, got)
        assert taken == [HERE] * 3, taken
        assert _no_children()


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
    + (error_travels, error_with_a_cause_is_raised_here, interrupted, stuck, no_fork, threads)
    + (collector, session_load_freezes, signals_in_the_child)
    + (steps_until_an_error, steps_all_taken_with_a_result)
}

if __name__ == "__main__":
    CASES[sys.argv[1]]()
