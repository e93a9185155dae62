"""Questions to the person running `drift fix` or `drift rollback`: on a terminal only (else the
answer is "no"), shown where that person reads, with what was typed ahead dropped, a deadline,
and Ctrl-C taken at once; the command goes on on new connections after it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, TextIO

from drift.cli.output import echo, readable
from drift.cli.session import STATE
from drift.cli.signals import cancelled_before
from drift.clock import awake_or_asleep
from drift.errors import OutputLost

if TYPE_CHECKING:
    from drift.fix.model import Plan


class PromptUI:
    """Prompts on a terminal; without one, a question is answered "no". `err`: the plan,
    the prompts and the progress go to stderr (stdout carries a document). Whatever stream
    they go to, a question read from a terminal is shown on one (`conversation`)."""

    def __init__(self, *, yes: bool, err: bool = False) -> None:
        self.yes = yes
        self.err = err
        self._tty: TextIO | None = None
        self._no_tty = False

    def show_plan(self, plan: Plan) -> None:
        from drift.fix.render import plan_table

        self._write(readable(plan_table(plan), echo=False))

    def confirm(self, question: str, timeout: float | None = None) -> bool:
        """Ask; "no" is remembered, so that the abort it leads to reads as an answer. No
        answer within `timeout` seconds is a "no" (`drift.fix.deadline`)."""
        if self.yes:
            return True
        question = readable(question)
        if not _terminal(sys.stdin):
            echo(f"{question} no (no terminal to ask; pass --yes)", err=True)
            answer = False
        else:
            with _then_new_connections(), _interruptible():
                try:
                    by = "" if timeout is None else f"no answer by {_clock_time(timeout)}"
                    asked = f"{question} ({by} means no)" if by else question
                    _discard_typed_ahead()
                    self._write(f"{asked} [y/N]: ", nl=False)
                    if cancelled_before():  # Ctrl-C before the prompt took it over: as at it
                        raise KeyboardInterrupt
                    typed = _answer(None if timeout is None else awake_or_asleep() + timeout)
                    if typed is None:
                        self._write(f"no ({by})")
                    elif not typed.endswith("\n"):  # Ctrl-D: the line is left open
                        self._write("")
                    answer = (typed or "").strip().lower() in ("y", "yes")
                except KeyboardInterrupt:
                    with suppress(OutputLost):  # what follows starts on a line of its own
                        self._write("")
                    raise
        if not answer:
            STATE.declined = True
        return answer

    def say(self, text: str) -> None:
        self._write(readable(text))

    def conversation(self) -> bool | TextIO:
        """Where the plan, the progress and the questions go: stderr (True), stdout (False),
        or the terminal itself. Asked on a terminal (stdin one, no --yes), they go where the
        person answering reads: the stream `err` names if it is a terminal, else stderr if
        it is one, else /dev/tty (`drift fix ENV > fix.log 2>&1`), as git and apt prompt;
        stdout keeps the report. Else (a pipe, --yes: nobody is asked) the stream `err`
        names."""
        if (
            self.yes
            or not _terminal(sys.stdin)
            or _terminal(sys.stderr if self.err else sys.stdout)
        ):
            return self.err
        if _terminal(sys.stderr):
            return True
        if self._tty is None and not self._no_tty:
            try:  # Windows has no /dev/tty: the stream `err` names
                self._tty = open("/dev/tty", "w", errors="backslashreplace")  # noqa: SIM115
            except OSError:
                self._no_tty = True
        return self._tty if self._tty is not None else self.err

    def _write(self, text: str, *, nl: bool = True) -> None:
        where = self.conversation()
        if isinstance(where, bool):
            echo(text, err=where, nl=nl)
            return
        try:
            where.write(text + ("\n" if nl else ""))
            where.flush()
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise OutputLost(
                f"cannot write the question to the terminal (/dev/tty): {why}"
            ) from exc


def _terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False


def _clock_time(seconds: float) -> str:
    """When a wait of `seconds` from now ends, as a person reads a clock: the minute, in UTC
    (the question and the line saying the time is over name the same one, never "0 min")."""
    import datetime as dt

    return f"{dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds):%H:%M} UTC"


def _discard_typed_ahead() -> None:
    """Drop what was typed at the terminal before the question is shown (SPEC invariant 3: a
    line typed while a canary deployed, or before the plan was printed, is no confirmation
    of a question that did not exist yet). POSIX tcflush(3): "TCIFLUSH flushes data
    received but not read". Only ever called with stdin a terminal (a pipe is no answer)."""
    if sys.platform == "win32":  # no termios there: typed-ahead input is not dropped
        return
    import termios

    with suppress(termios.error, OSError, ValueError):  # not flushable: read as it is
        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)


ANSWER_POLL = 0.2
"""Seconds between two looks for a Ctrl-C while a prompt waits (see `_answer`)."""
ANSWER_MAX = 4096
"""Bytes of an answer read at most (a paste is not an answer)."""


def _answer(deadline: float | None = None) -> str | None:
    """The line typed at the terminal, or None when `deadline` (`drift.clock.awake_or_asleep`,
    which counts the time the machine slept) passes first.
    A plain blocking read can miss Ctrl-C: when its signal arrives after the interpreter last
    looked for signals and before the read begins (a loaded machine stops a process there),
    the handler has already run at the C level and the read then waits for Enter. Waiting in
    slices of ANSWER_POLL lets the interpreter raise KeyboardInterrupt within one slice of any
    Ctrl-C, wherever it landed."""
    import select

    if sys.platform == "win32":  # select() takes sockets only there
        return sys.stdin.readline()
    fd = sys.stdin.fileno()
    line = b""
    while not line.endswith(b"\n") and len(line) < ANSWER_MAX:
        if deadline is not None and awake_or_asleep() >= deadline:
            return None
        if not select.select([fd], [], [], ANSWER_POLL)[0]:
            continue
        chunk = os.read(fd, ANSWER_MAX)
        if not chunk:  # end of input (Ctrl-D): what was typed, or "no"
            break
        line += chunk
    return line.decode(errors="replace")


@contextmanager
def _then_new_connections() -> Iterator[None]:
    """After a question put to a person, however it ended (an answer, the time over, Ctrl-C),
    the command goes on on new connections (`drift.live.session.after_a_prompt`: one a NAT
    forgot while the person read is never reused). `--yes`, and a "no" for want of a
    terminal, waited for nobody: the connections are kept."""
    try:
        yield
    finally:
        from drift.live.session import after_a_prompt

        after_a_prompt()


@contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C during a prompt raises KeyboardInterrupt at once. (The prompt blocks inside
    asyncio.run, whose SIGINT handler only cancels the main task, which a blocking read never
    sees; click's prompt turns the second Ctrl-C into "Aborted!" and exit 1.)"""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(
        signal.SIGINT
    ) in (signal.SIG_IGN, None):
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
