"""The event loop a command's async work runs on: Ctrl-C (and SIGTERM, SIGHUP taken as one)
turned into one clear line and an exit code, every signal waking the loop, and the loop built
and closed whole.

A Ctrl-C raises KeyboardInterrupt wherever the main thread is. One that landed while asyncio
built the loop (`BaseSelectorEventLoop.__init__`, before its self-pipe was made) or closed it
(`_close_self_pipe`, with the socket gone) left a loop half made and not closed; collected
later, its `__del__` closed it again and failed on the missing part: "Exception ignored in:
<function BaseEventLoop.__del__>" and an AttributeError traceback under the "interrupted"
line (a `drift history` given SIGTERM as it began, seen once in a CI run). `WholeLoop` holds a
Ctrl-C while either runs and delivers it once the loop is whole, or closed."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

from drift.cli.signals import like_ctrl_c
from drift.errors import DriftError, ExitCode, Interrupted

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


def run(
    coro: Coroutine[Any, Any, T],
    *,
    interrupted: ExitCode = ExitCode.INCOMPLETE,
    what: str | Callable[[], str] = "the check is incomplete",
) -> T:
    """Run the library's async work; Ctrl-C is one clear message and an exit code. The Ctrl-C
    handler from before is back after it, however it ended: a Ctrl-C that escaped the loop
    leaves asyncio.Runner's (`_ctrl_c_rearmed` puts it back as the task ends, after the
    runner's own restoring has passed), which a later run in the process would take for
    someone else's (revown28 F3). Work a Ctrl-C stopped before it began is closed unstarted:
    never a "coroutine … was never awaited" warning under the line. The command's sessions
    share one set of clients, closed as it ends (`_one_set_of_clients`)."""
    import asyncio
    import threading

    main = threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGINT) if main else None
    ended: list[DriftError] = []
    works: list[Coroutine[Any, Any, Any]] = [coro]
    # SIGTERM and SIGHUP as Ctrl-C (named in the line): a read's progress line comes down and
    # shows the cursor it hid, and the exit says incomplete, where the signal's default action
    # ended the process on the spot (`timeout 60 drift check`: no cursor left in the shell)
    try:
        with like_ctrl_c():
            try:
                works.append(shared := _one_set_of_clients(coro))
                works.append(woken := _woken_by_signals(shared, ended))
                runner = asyncio.Runner(loop_factory=whole_loop())
                try:
                    result = runner.run(woken)
                except BaseException:
                    _closed(runner)  # a Ctrl-C meanwhile is moot: the run ends with this
                    raise
                _closed(runner).deliver()
                return result
            except (KeyboardInterrupt, asyncio.CancelledError):  # latter: `_ctrl_c_rearmed`
                if ended:  # the command's own line of where it stands, as the loop ended
                    raise ended[0] from None
                raise Interrupted(interrupted, what() if callable(what) else what) from None
    finally:
        for work in works:
            _close_unstarted(work)
        if before is not None and signal.getsignal(signal.SIGINT) is not before:
            signal.signal(signal.SIGINT, before)


def whole_loop() -> Callable[[], asyncio.AbstractEventLoop]:
    """This platform's event loop, built and closed with a Ctrl-C held until it is whole
    (module docstring). In another thread, asyncio's own: signals are the main thread's."""
    import asyncio
    import threading

    if threading.current_thread() is not threading.main_thread():
        return _unjoined(asyncio.new_event_loop)
    base: type[asyncio.AbstractEventLoop] = (
        asyncio.ProactorEventLoop if sys.platform == "win32" else asyncio.SelectorEventLoop  # type: ignore[attr-defined]
    )

    class WholeLoop(base):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            with ctrl_c_held() as came:
                super().__init__()
            if came:  # whole now: closed, then the Ctrl-C (never a loop left unclosed)
                self.close()
                came.deliver()
            self.set_default_executor(_daemon_executor())

        def close(self) -> None:
            with ctrl_c_held() as came:
                super().close()
            came.deliver()

    return WholeLoop


def _unjoined(
    factory: Callable[[], asyncio.AbstractEventLoop],
) -> Callable[[], asyncio.AbstractEventLoop]:
    """`factory`'s loops, with the default executor `_daemon_executor`."""

    def made() -> asyncio.AbstractEventLoop:
        loop = factory()
        loop.set_default_executor(_daemon_executor())
        return loop

    return made


def _daemon_executor() -> Any:
    """The loop's default executor (`loop.getaddrinfo`, `asyncio.to_thread`): each call on a
    daemon thread of its own, which neither the loop's shutdown nor the interpreter's exit
    waits for. A call cancelled is not stopped by the cancel: with asyncio's executor, a name
    lookup the resolver never answers (the WebSocket probe's host, a proxy's) kept the command
    from ending long after the probe gave up at its timeout (`Runner.close` waits for the
    executor without a limit, glibc's resolver tries 5 s x attempts x servers; helper-563 F1).
    Only what no one awaits any more is left behind: an upload of a report cut by a Ctrl-C
    (a Cloud Storage object is written whole or not at all), a lookup, an ID token fetch. A
    `ThreadPoolExecutor` by type (`set_default_executor` takes no other) whose workers are
    never started: `concurrent.futures` joins those at exit."""
    import concurrent.futures
    import threading

    class DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()

            def work() -> None:
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # the caller's to see, as the pool's are
                    future.set_exception(exc)
                else:
                    future.set_result(result)

            threading.Thread(target=work, name="drift-call", daemon=True).start()
            return future

        def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
            """Nothing to wait for: no call left running is anyone's any more."""

    return DaemonExecutor(max_workers=1)


def _closed(runner: asyncio.Runner) -> Held:
    """`runner` closed (the tasks left cancelled, async generators and the default executor
    shut down, then the loop) with a Ctrl-C held: one that landed between those steps left
    the next step's coroutine never awaited, a RuntimeWarning under the "interrupted" line
    (helper-521). A second is not held: a shutdown that hangs (an executor's thread stuck
    in a name lookup) can still be cut short."""
    with ctrl_c_held(second_too=False) as came:
        runner.close()
    return came


class Held(list[int]):
    """The Ctrl-Cs that came while a block ran with them held (`ctrl_c_held`)."""

    handler: Any = None

    def deliver(self) -> None:
        """Hand a held Ctrl-C to the handler that was there before (asyncio's, which cancels
        the task; Python's, which raises KeyboardInterrupt); nothing if none came."""
        if self and callable(self.handler):
            self.clear()
            self.handler(signal.SIGINT, None)


@contextmanager
def ctrl_c_held(*, second_too: bool = True) -> Iterator[Held]:
    """While the block runs, a Ctrl-C (SIGTERM, SIGHUP: `like_ctrl_c` hands them to whatever
    handles SIGINT) is written down, not raised; the caller delivers it after (`Held.deliver`).
    `second_too=False`: only the first is held, a second goes to the handler from before at
    once. Outside the main thread, or with SIGINT not handled from Python, nothing is held."""
    import threading

    came = Held()
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield came
        return

    def hold(number: int, frame: FrameType | None) -> None:
        came.append(number)
        if not second_too and len(came) > 1 and callable(previous):
            signal.signal(signal.SIGINT, previous)
            previous(number, frame)

    came.handler = previous
    with _sigint(hold):
        yield came


def _close_unstarted(work: Coroutine[Any, Any, Any]) -> None:
    """Close a coroutine a Ctrl-C stopped before its first step (one that ran is the loop's)."""
    started = getattr(work, "cr_suspended", True) or getattr(work, "cr_running", True)
    if getattr(work, "cr_frame", None) is not None and not started:
        work.close()


async def _one_set_of_clients(coro: Coroutine[Any, Any, T]) -> T:
    """`coro`, its sessions sharing one set of clients, closed as it ends
    (`drift.live.session.one_set_of_clients`)."""
    from drift.live.session import one_set_of_clients

    async with one_set_of_clients():
        return await coro


async def _woken_by_signals(coro: Coroutine[Any, Any, T], ended: list[DriftError]) -> T:
    """`coro`, with every signal waking the event loop. asyncio.run's Ctrl-C handler is Python
    code, which runs between bytecodes once the C-level handler has set its flag; a signal
    that lands just before the loop starts waiting (or in another thread) would otherwise be
    seen only at the loop's next event, as late as a call's deadline. The C-level handler
    writes to the wakeup fd, which the loop watches. A Ctrl-C the command took back leaves
    the next one to cancel it again (`_ctrl_c_rearmed`). A Ctrl-C that ended the loop while
    the task still unwound from an earlier one: the line the command then ends with (where a
    fix stands) goes to `ended`, for `run` to say, never into asyncio's "unhandled exception
    during asyncio.run() shutdown" traceback behind a "nothing was changed" (a third Ctrl-C
    while a fix's cut cleanup unwinds: its journal records the canary written)."""
    import asyncio
    import threading

    # Windows: the wakeup fd takes sockets there, and its loop no readers; another thread:
    # signals are the main thread's to watch
    if sys.platform == "win32" or threading.current_thread() is not threading.main_thread():
        return await coro
    with _ctrl_c_rearmed() as escaped:
        try:
            return await _woken(coro)
        except DriftError as exc:
            if not escaped:
                raise
            ended.append(exc)
            raise asyncio.CancelledError from None  # not logged: `run` says it


async def _woken(coro: Coroutine[Any, Any, T]) -> T:
    """`coro`, with the signals' wakeup fd watched by the loop."""
    import asyncio

    loop = asyncio.get_running_loop()
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    loop.add_reader(read_end, _drain, read_end)
    try:
        return await coro
    finally:
        signal.set_wakeup_fd(previous)
        loop.remove_reader(read_end)
        os.close(read_end)
        os.close(write_end)


@contextmanager
def _ctrl_c_rearmed() -> Iterator[list[bool]]:
    """asyncio.Runner's Ctrl-C handling, except that a Ctrl-C the command's task took back
    (`Task.uncancel`: `drift fix` ending a Ctrl-C as a "no", `drift.fix.cancel.again`) is
    spent: the next one cancels the task again. asyncio.Runner counts Ctrl-C instead: the
    second always raises KeyboardInterrupt out of the event loop, which then cancels the task
    while it shuts down — the fix's re-check after a "no" ended in asyncio's "unhandled
    exception during asyncio.run() shutdown" traceback and a "nothing was changed" that was
    false (revcrash2 1). As with asyncio.Runner, a Ctrl-C while the task still has one it has
    not taken back (it does not stop) raises KeyboardInterrupt: the loop ends at once (the
    list yielded then holds True)."""
    import asyncio

    task, loop = asyncio.current_task(), asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGINT)
    escaped: list[bool] = []
    if task is None or not callable(previous) or previous is signal.default_int_handler:
        yield escaped  # not asyncio.Runner's handler (Ctrl-C ignored, or someone else's)
        return

    def handler(number: int, frame: FrameType | None) -> None:
        if task.done() or task.cancelling():
            escaped.append(True)
            raise KeyboardInterrupt
        task.cancel()
        loop.call_soon_threadsafe(lambda: None)  # wake the loop, as asyncio's handler does

    with _sigint(handler):
        yield escaped


@contextmanager
def _sigint(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    """SIGINT handled by `handler` while the block runs, and by the handler from before after
    it (unless another was set meanwhile: that one stays)."""
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGINT) is handler:
            signal.signal(signal.SIGINT, previous)


def _drain(fd: int) -> None:
    """Empty the wakeup pipe (waking the loop was its whole purpose)."""

    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass
