"""SIGTERM and SIGHUP while `drift fix` or `drift rollback` runs end it as Ctrl-C does.

`docker stop`, Kubernetes, systemd and a cancelled CI job send SIGTERM; a closed terminal
sends SIGHUP. Their default action ends the process at once: no cleanup of a canary at the
promotion prompt, no "where it stands" line, the lock left behind, the journal saying
`canary-ready`. Here each is handed to whatever handles SIGINT at that moment (asyncio's
handler, which cancels the command's task; the prompt's, which raises KeyboardInterrupt), so
every Ctrl-C path of the command runs, and the final line names the signal. A signal that is
ignored when drift starts (`nohup` ignores SIGHUP) stays ignored. After SIGHUP the terminal
is gone: what drift would still print to it goes to /dev/null, so that the cleanup is not cut
short by a write to a terminal that hung up (the journal records how it ended)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import TYPE_CHECKING, Any

from drift import interrupts

if TYPE_CHECKING:
    from pathlib import Path

    from drift.errors import Interrupted

LIKE_CTRL_C = ("SIGTERM", "SIGHUP")


def cancelled_before() -> bool:
    """Whether a Ctrl-C cancelled the command's task after its last await, before a prompt
    took Ctrl-C over (`drift.cli.prompt._interruptible`): asyncio's handler only marks that
    cancellation, for the task's next await, which a "y" would then reach mid-write. A prompt
    asks once its own handler is in place, so that none is lost between, and takes it as a
    Ctrl-C at the prompt (`drift.fix.deadline.promotion` takes the cancellation back).
    Never imports asyncio: a prompt outside an event loop would import it (and ssl) just as
    the user presses Ctrl-C, which then lands inside that import (a traceback, not a "no")."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:  # no event loop ever ran here: no task to cancel
        return False
    with suppress(RuntimeError):  # no event loop: no task to cancel
        return (task := asyncio.current_task()) is not None and task.cancelling() > 0
    return False


@contextmanager
def like_ctrl_c() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP are Ctrl-C; an Interrupted raised by the
    block names the signal that caused it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are the main thread's to handle
        return
    from drift.errors import Interrupted

    received: list[str] = []
    previous = _taken_as_ctrl_c(received)
    try:
        yield
    except Interrupted as exc:
        if not received:
            raise
        raise named(exc, received[0]) from None
    finally:
        interrupts.forget()
        for number, handled in previous.items():
            signal.signal(number, handled)


def named(exc: Interrupted, name: str) -> Interrupted:
    """`exc`, its line naming the signal that caused it (`name`: SIGTERM, SIGHUP; Ctrl-C is
    left as the line says it)."""
    from drift.errors import Interrupted

    what = exc.message.removeprefix("interrupted: ")
    if name == "Ctrl-C" or name in what:  # said by its name already (`drift.interrupts`)
        return exc
    said = what.replace("Ctrl-C", name) if "Ctrl-C" in what else f"{name} received: {what}"
    return Interrupted(exc.exit_code, said)


def whole_command() -> None:
    """SIGTERM and SIGHUP are Ctrl-C for the whole command, not only inside the steps that
    read or write (whose `like_ctrl_c` names them in the step's own line): while drift
    starts, parses its options, reads the profile or renders, their default action ended the
    process on the spot, with no line and exit 143 or 129, the profile read's child left
    running (helper-521). `main` says which signal it was (`drift.interrupts`). A Ctrl-C
    CPython would swallow is never lost from here on (`ctrl_c_never_swallowed`). The exit
    itself is `ending`'s. `main` calls this first: this module imports nothing of drift's but
    `drift.interrupts`, so that little runs before it."""
    if threading.current_thread() is threading.main_thread():
        _taken_as_ctrl_c([])
        ctrl_c_never_swallowed()
        _ignored_at_the_very_end()


def _taken_as_ctrl_c(received: list[str]) -> dict[int, Any]:
    """SIGTERM and SIGHUP handed to whatever handles SIGINT, by name in `received` (and
    `drift.interrupts`); each one ignored when this began (`nohup`) stays ignored. The
    handlers they had, to put back."""

    def handler(number: int, frame: FrameType | None) -> None:
        received.append(signal.Signals(number).name)
        interrupts.received(received[-1])
        if number == getattr(signal, "SIGHUP", None):
            _hung_up()
        current = signal.getsignal(signal.SIGINT)
        if callable(current):
            current(signal.SIGINT, frame)
        else:  # SIGINT ignored or default: there is no Ctrl-C handling to hand it to
            raise KeyboardInterrupt

    previous = {}
    for name in LIKE_CTRL_C:
        number = getattr(signal, name, None)  # Windows has no SIGHUP
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, handler)
    return previous


def ending() -> None:
    """The command has said how it ended and chosen its exit code: a signal from here on (a
    second Ctrl-C as the "interrupted" line prints, `timeout` firing as drift exits, a
    Ctrl-C as a whole report ends) can only spoil that code. It did: a KeyboardInterrupt out
    of `main`'s last lines was a traceback and exit 130, and once CPython finalizes it puts
    SIGINT back to its default action, and the process died by the signal (130, 143) after
    saying "interrupted" (3) or a whole report (0, 1) (helper-521). So the first such signal
    is ignored; a second ends the process by its default action, as before, so that an exit
    that hangs (a thread that never ends) can still be stopped; once the exit handlers have
    run, all three are ignored (`_ignored_at_the_very_end`)."""
    if threading.current_thread() is not threading.main_thread():
        return
    numbers = [n for n in _ENDING if signal.getsignal(n) is not signal.SIG_IGN]

    def again(number: int, frame: FrameType | None) -> None:
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)  # delivered at once, by its default action

    def first(number: int, frame: FrameType | None) -> None:
        for each in numbers:
            signal.signal(each, again)

    for number in numbers:
        signal.signal(number, first)


_ENDING = tuple(getattr(signal, n) for n in ("SIGINT", *LIKE_CTRL_C) if hasattr(signal, n))
_AT_EXIT: list[bool] = []


def _ignored_at_the_very_end() -> None:
    """Once every other exit handler has run (registered first, this one runs last, after
    the non-daemon threads were waited for), SIGINT, SIGTERM and SIGHUP are ignored: CPython
    then sets a signal handled from Python back to its default action (`_PySignal_Fini`,
    Python/pylifecycle.c `Py_FinalizeEx`) but leaves an ignored one ignored, for the last
    milliseconds in which a signal would otherwise replace the exit code drift chose."""
    import atexit

    if _AT_EXIT:  # once per process (commands run in a test's own process call it again)
        return
    _AT_EXIT.append(True)

    def ignore_all() -> None:
        if threading.current_thread() is threading.main_thread():
            for number in _ENDING:
                signal.signal(number, signal.SIG_IGN)

    atexit.register(ignore_all)


def _hung_up() -> None:
    """Send what is still printed to a terminal that hung up to /dev/null instead."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            if os.isatty(fd):
                os.dup2(null, fd)
    finally:
        os.close(null)


@contextmanager
def ctrl_c_latched() -> Iterator[list[bool]]:
    """While the block runs, a Ctrl-C is also written down (the list yielded gets `True`), so
    that one CPython swallows is not lost: a KeyboardInterrupt raised while a weak reference's
    callback or a `__del__` runs (an import's module lock has one) is only reported as
    "Exception ignored in: …", and the command would go on as if no Ctrl-C came. Such a report
    is not printed for a KeyboardInterrupt; the caller checks the list after the block."""
    fired: list[bool] = []
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield fired  # not Python's own Ctrl-C handling: whoever set it handles it
        return

    def handler(number: int, frame: FrameType | None) -> None:
        fired.append(True)
        raise KeyboardInterrupt

    previous_hook = sys.unraisablehook

    def unraisable(report: sys.UnraisableHookArgs) -> None:
        if not isinstance(report.exc_value, KeyboardInterrupt):
            previous_hook(report)

    signal.signal(signal.SIGINT, handler)
    sys.unraisablehook = unraisable
    try:
        yield fired
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.unraisablehook = previous_hook


SWALLOWED: list[bool] = []
"""Not empty once a Ctrl-C (or SIGTERM, SIGHUP) was swallowed in this process
(`ctrl_c_never_swallowed`): its delivery again, from another thread, may not have landed
before the command ends otherwise (that thread waits for the interpreter's lock while the
main thread reads a profile that is missing and says so, on a loaded machine): an error it
ends with then is said as the interruption it follows (`drift.cli._main`)."""


def ctrl_c_never_swallowed() -> None:
    """For the rest of the process, a Ctrl-C (or SIGTERM, SIGHUP taken as one) whose
    KeyboardInterrupt CPython swallowed is delivered again, at once, to whatever handles SIGINT
    then. The interrupt is raised by the signal handler wherever the main thread is: inside a
    `__del__` or a weak reference's callback (an unclosed event loop collected, an import's
    module lock), CPython only reports it as "Exception ignored in: …" with a traceback, and the
    command went on as if no signal came (a `drift history` given SIGTERM waited out its reads).
    `_thread.interrupt_main` simulates SIGINT for the main thread; sent from another thread, its
    handler runs once the `__del__` has returned. `ctrl_c_latched` keeps its own hook inside
    its block."""
    import _thread

    SWALLOWED.clear()  # a command of its own (tests run several in one process)
    previous = sys.unraisablehook

    def again() -> None:
        # from a thread of its own, never waited for (`Thread.start` waits until it runs):
        # called here, the handler would run at once, inside this hook, and its
        # KeyboardInterrupt be swallowed again; one that lands in yet another `__del__` comes
        # back here and is delivered once more
        with suppress(RuntimeError):  # no new thread while the interpreter shuts down
            _thread.start_new_thread(_thread.interrupt_main, ())

    def unraisable(report: sys.UnraisableHookArgs) -> None:
        if not isinstance(report.exc_value, KeyboardInterrupt):
            previous(report)
        elif threading.current_thread() is threading.main_thread():  # else not a signal's
            SWALLOWED.append(True)
            try:
                again()
            except KeyboardInterrupt:  # delivered before this hook returned: once more
                again()

    sys.unraisablehook = unraisable


class JournalSays:
    """What an interrupted fix says of itself when it could not say where it stands (the
    event loop ended before it did, `drift.cli.loop.run`): what the journal records
    written by this fix's own change (`began`, told by the fix as it takes its change id),
    never a "nothing was changed" it contradicts. The journal is shared (SPEC invariant 5) and
    locks are per service (invariant 11): another drift's change that landed meanwhile is not
    this fix's, and never the one offered for rollback (revown39 F1)."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.change_id: str | None = None

    def began(self, change_id: str) -> None:
        self.change_id = change_id

    def __call__(self) -> str:
        from drift.errors import DriftError
        from drift.fix.journal import Journal

        change = self.change_id
        if change is None:  # it stopped before it took a change id: it wrote nothing
            return "nothing was changed"
        try:
            wrote = [e for e in Journal(self.journal).entries() if e.change_id == change]
        except (DriftError, OSError):
            return (
                f"change {change} may have written, and the journal {self.journal} could not "
                "be read: `drift rollback --list` says more"
            )
        wrote = [e for e in wrote if e.wrote]
        if not wrote:
            return "nothing was changed"
        states = "; ".join(f"{e.service}: {e.state}" for e in wrote)
        return (
            f"the journal {self.journal} records change {change} written ({states}): "
            f"`drift rollback {change}` puts back what served"
        )
