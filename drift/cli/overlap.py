"""Two things at once on two cores: `work` in a forked child while this process does
`meanwhile`. Both are CPU-bound Python (parsing a profile, importing the client libraries), so
threads would take turns on one interpreter lock; a child process does not. The child's result
comes back pickled through a pipe, and so does an error of the kinds the caller names (a profile
refused) when it travels whole: same type, same state, and no cause chain to lose. When anything
else happens — no fork on this platform, the child fails otherwise, crashes or is killed, what it
sends does not unpickle — this process does the work itself, so every error is exactly the one
the work raises here."""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

PATIENCE = 120.0
"""Seconds the child may take after `meanwhile` is done (the largest profile drift accepts
parses in a fraction of that): past them it is stopped, and the work is done here."""
_ENDS_CHILD = tuple(
    getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)
)
SERIAL = "DRIFT_SERIAL"
"""Set to 1 to do everything in this one process (for comparing, or for a debugger)."""


def overlapped(
    work: Callable[[], T],
    meanwhile: Callable[[], object],
    *,
    errors: tuple[type[Exception], ...] = (),
) -> T:
    """`work()`'s result, computed in a child while `meanwhile()` runs here. `work` must not
    write anything: what the child prints is discarded (its result is all that counts). An
    exception of one of `errors` that the child raised is raised here, when it travels whole
    (`_sendable`); any other failure, and the work is done again here.

    `meanwhile()` may return an iterator, a step per item (a generator that yields before each
    step): between steps this process looks whether the child has answered. An error it sent is
    then raised at once, the steps left never taken (they prepared a run that ends there: a
    missing environment is said without waiting for the Google libraries to import, helper-633
    F2); a result is taken, and the steps left are taken before it is returned."""
    if not _can_fork():
        return _here(work, meanwhile)
    read_end, write_end = os.pipe()
    # Ctrl-C (SIGTERM, SIGHUP) during the fork would interrupt the interpreter's own after-fork
    # steps in the child (a traceback on the terminal): it waits until both sides are ready.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set(_ENDS_CHILD))
    try:
        pid = os.fork()
    except OSError:  # no process to be had (a process limit, no memory): one process, then
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(read_end)
        os.close(write_end)
        return _here(work, meanwhile)
    if pid == 0:  # pragma: no cover - the child: measured by its result, it never returns
        for number in _ENDS_CHILD:  # Ctrl-C, SIGTERM, SIGHUP end it, silently (never ignored
            if signal.getsignal(number) is not signal.SIG_IGN:  # ones: `nohup`)
                signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _child(work, errors, read_end, write_end)
    os.close(write_end)
    reaped = False
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C meanwhile: raised here
        left = _until_answered(meanwhile(), read_end)
        data = _read_all(read_end, time.monotonic() + PATIENCE)
        if data is not None:  # None: the child is stuck (stopped below; the work is done here)
            _, status = os.waitpid(pid, 0)
            reaped = True
            if os.waitstatus_to_exitcode(status) == 0 and data:
                return _finished(_loaded(data, work), left)
    finally:
        os.close(read_end)
        if not reaped:  # interrupted (Ctrl-C) or failed: the child's work is no longer wanted
            _stop(pid)
    return _finished(work(), left)


def _here(work: Callable[[], T], meanwhile: Callable[[], object]) -> T:
    """Both in this process, in the same order as with a child: the work's error first."""
    done = work()
    steps = meanwhile()
    return _finished(done, steps if isinstance(steps, Iterator) else None)


def _until_answered(steps: object, fd: int) -> Iterator[object] | None:
    """`meanwhile`'s steps taken until the child has answered (its end of the pipe has
    something to read, or is closed): the steps left, or None when all were taken (or
    `meanwhile` was one call, already made)."""
    if not isinstance(steps, Iterator):
        return None
    for _ in steps:
        if select.select([fd], [], [], 0)[0]:
            return steps
    return None


def _finished(result: T, left: Iterator[object] | None) -> T:
    """`result`, once the steps `left` of `meanwhile` are taken."""
    for _ in left or ():
        pass
    return result


def _loaded(data: bytes, work: Callable[[], T]) -> T:
    """The child's result (or its error, raised), or (when it does not load) `work()` done
    here."""
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of new objects, no cycles: nothing to collect
    try:
        failed, result = pickle.loads(data)  # noqa: S301 - our own child's bytes, via a pipe
    except Exception:  # noqa: BLE001 - a result that does not load: work here instead
        pass
    else:
        if failed:
            raise result
        return result  # type: ignore[no-any-return]
    finally:
        if collecting:
            gc.enable()
    return work()


def _can_fork() -> bool:
    """Linux only (macOS forbids much after fork in its system frameworks, Windows has no
    fork), and never with another thread in the process, Python's or a library's own (a lock
    one of them holds would stay held in the child)."""
    return sys.platform == "linux" and os.environ.get(SERIAL, "") in ("", "0") and _threads() == 1


def _threads() -> int:
    """The threads of this process as the kernel counts them (C threads included)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0  # unknown: not 1, so no fork


def _child(
    work: Callable[[], object],
    errors: tuple[type[Exception], ...],
    read_end: int,
    write_end: int,
) -> None:
    """Run `work`, write its pickled result (or error), and end without running this
    process's exit handlers or flushing the parent's buffered output a second time."""
    code = 1
    # No collections: the child ends as soon as its result is written, and what it builds
    # (hundreds of thousands of objects, no cycles to speak of) would be scanned over and over.
    gc.disable()
    try:
        os.close(read_end)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - ends with the child
        try:
            outcome: tuple[bool, object] = (False, work())
        except errors as error:
            outcome = (True, error)
            if not _sendable(error):
                raise
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - any failure: the parent does the work itself
        pass
    finally:
        os._exit(code)


def _sendable(error: Exception) -> bool:
    """Whether the parent would raise this very error: it unpickles as the same type with the
    same arguments and state, and it has no cause (`--verbose` shows the cause chain, which
    pickling drops)."""
    if error.__cause__ is not None:
        return False
    try:
        again = pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
        return bool(
            type(again) is type(error) and again.args == error.args and vars(again) == vars(error)
        )
    except Exception:  # noqa: BLE001 - it does not travel: the parent does the work itself
        return False


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None when it has not finished by `deadline`."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
