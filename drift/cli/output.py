"""Everything a command prints or writes goes through here: reports in a format, text to a
file or stdout (scrubbed of every secret drift read; on a terminal, control characters shown
escaped), the GitHub step summary, prompts and error lines."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from drift.cli.session import STATE
from drift.cli.signals import cancelled_before
from drift.cli.streams import MACHINE_FORMATS, lost_message, silence, utf8_document
from drift.clock import awake_or_asleep
from drift.errors import OutputLost, UsageError
from drift.format import OutputFormat

if TYPE_CHECKING:
    from drift.errors import Problem
    from drift.fix.model import Plan
    from drift.live.session import Access
    from drift.live.storage import StorageObject
    from drift.report import Report

    Destination = Path | StorageObject

_SGR = re.compile(r"(\x1b\[[0-9;]*m)")
"""A color code (Select Graphic Rendition): the only escape drift's own table writes."""


def location(value: str | None) -> Destination | None:
    """A `--output`/`--baseline` value (checked by `report_location`): a Cloud Storage
    object for gs://BUCKET/OBJECT, else a local path."""
    if value is None:
        return None
    if value.lower().startswith("gs://"):
        from drift.live.storage import parse_object

        return parse_object(value)
    return Path(value)


def emit(
    text: str,
    output: Destination | None = None,
    *,
    colored: bool = False,
    access: Access | None = None,
    fmt: str | None = None,
    summary: str = "",
) -> None:
    """Print `text`, or write it to `output` (a Cloud Storage object: with `access`'s
    credentials); scrubbed either way. On a terminal, control characters are shown escaped
    (`colored`: except the color codes drift's own table wrote); a file gets the text as it
    is (JSON, YAML and scripts must stay what they are), and so does a pipe (`utf8_document`);
    `summary` (what was written, the exit code's why) then goes to stderr: never a bare exit."""
    from drift.files import write_whole
    from drift.redact import scrub

    text = scrub(text)
    if output is None:
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            from drift.cli.streams import lost_message

            raise UsageError(lost_message(None), hint="write it to a file: --output FILE")
        if sys.stdout.isatty():
            text = _for_terminal(text, colored=colored)
        elif fmt in MACHINE_FORMATS and utf8_document(text):
            return
        echo(text, nl=not text.endswith("\n"))
        return
    text = text if text.endswith("\n") else text + "\n"
    if not isinstance(output, Path):
        _upload(text.encode(), output, access)
    else:
        write_whole(output, text, replace_links=True)
    if summary:
        echo(_person(summary), err=True)


def _upload(data: bytes, target: StorageObject, access: Access | None) -> None:
    from drift.cli.session import run
    from drift.errors import ApiError
    from drift.live.session import Access, Session

    async def write() -> None:
        async with Session(access or Access()) as session:
            await session.write_object(target, data)

    try:
        run(write(), what=f"{target} may not have been written")
    except ApiError as exc:  # the run is done; its report could not be kept, as for a file
        raise UsageError(f"cannot write {target}: {exc.status}: {exc.detail}") from exc


def fetch(source: StorageObject, limit: int, access: Access) -> bytes:
    """The bytes of a Cloud Storage object of at most `limit` bytes (a baseline)."""
    from drift.cli.session import run
    from drift.errors import ApiError
    from drift.live.session import Session

    async def read() -> bytes:
        async with Session(access) as session:
            return await session.read_object(source, limit)

    try:
        return run(read(), what="nothing was checked")
    except ApiError as exc:
        raise UsageError(f"cannot read {source}: {exc.status}: {exc.detail}") from exc


def _for_terminal(text: str, *, colored: bool) -> str:
    from drift.textsafe import visible_lines

    if not colored:
        return visible_lines(text)
    parts = _SGR.split(text)  # the codes at odd indexes
    return "".join(part if i % 2 else visible_lines(part) for i, part in enumerate(parts))


def _person(text: str) -> str:
    """Free text for a person: masked, scrubbed, every control character shown."""
    from drift.redact import mask, scrub
    from drift.textsafe import visible_lines

    return visible_lines(scrub(mask(text, echo=True)))


def say(text: str, *, err: bool = False) -> None:
    """One line for a person (masked, control characters shown escaped); `err`: on stderr,
    when stdout carries a document (`prose_to_stderr`)."""
    echo(_person(text), err=err)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """`typer.echo`; a stream that cannot be written (a closed pipe, a full disk) is
    OutputLost, one message, and from then on writes to /dev/null (`drift.cli.streams`)."""
    try:
        typer.echo(text, nl=nl, err=err)
    except OSError as exc:
        silence(sys.stderr if err else sys.stdout)
        raise OutputLost(lost_message(exc, err=err)) from exc


def prose_to_stderr(fmt: OutputFormat) -> bool:
    """Whether a command that prints prose as it goes (`fix`) prints it on stderr: with any
    format but the table, stdout carries only the document, whole (`> report.json`)."""
    return fmt is not OutputFormat.TABLE


def error(message: str, *, details: tuple[str, ...] = (), annotated: bool = False) -> None:
    """`drift: error: MESSAGE` on stderr, then indented detail lines (masked, control
    characters shown escaped). Under `--format github` (`STATE.annotate`) the message is an
    `::error` workflow command too (`error_line`), so that the run's page says why the step
    failed, not only its exit code — unless it is `annotated` already (a bad input's problems,
    each at its line: `annotate`). On stderr, after the line: where the action
    (scripts/github-action.sh) reads drift's errors, so that it leaves out the annotation of
    an error it recovers from (a refused baseline: checked as a first run)."""
    try:
        typer.echo(f"drift: error: {_person(message)}", err=True)
        for line in details:
            typer.echo(f"  {_person(line)}", err=True)
        if STATE.annotate and not annotated:
            from drift.format.github_problems import error_line

            typer.echo(error_line(message, show=_person), err=True)
    except OSError:  # stderr is gone too: the exit code says it
        silence(sys.stderr)


def annotate(problems: Iterable[Problem]) -> None:
    """Each problem of an input as an `::error` workflow command on its file and line, as
    `--format github` annotates findings (escaped the same way; masked, made visible), capped
    and cut as `drift profiles validate --format github` does (one rule: `problem_lines`)."""
    from drift.format.github_problems import problem_lines

    lines = problem_lines(
        list(problems), title="drift", show=_person, listed="the error message lists them all"
    )
    for line in lines:
        with suppress(OutputLost):  # the error line on stderr said it already
            echo(line)


def emit_report(
    report: Report,
    fmt: OutputFormat,
    output: Destination | None = None,
    *,
    quiet: bool = False,
    access: Access | None = None,
    text: str | None = None,
) -> None:
    """The report in `fmt` on stdout or in `output` (`text`: already rendered in `fmt`); with
    `output`, the summary line on stderr too, so that a CI log says what happened."""
    colored = output is None and color()  # a file never gets color codes
    if text is None:
        text = render(report, fmt, quiet=quiet, colored=colored)
    from drift.format.summary import summary_line

    emit(text, output, colored=colored, access=access, fmt=fmt, summary=summary_line(report))


def color() -> bool:
    """Colour codes on a terminal, unless NO_COLOR is set to something ("when present and
    not an empty string (regardless of its value)", https://no-color.org: `NO_COLOR=` is not
    set) or the terminal says it has none (`TERM=dumb`)."""
    if sys.stdout is None or not sys.stdout.isatty():
        return False
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def render(report: Report, fmt: OutputFormat, *, quiet: bool = False, colored: bool = False) -> str:
    """The report in `fmt` (`colored`: the table's colors, for `emit(..., colored=True)`)."""
    from drift.format import formatter_for

    if quiet and fmt is OutputFormat.TABLE:
        from drift.format.summary import summary_line

        return summary_line(report) + "\n"
    return formatter_for(fmt, color=colored).render(report)


def step_summary(report: Report) -> None:
    """In GitHub Actions, append the Markdown summary to the step summary file."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") != "true" or not path:
        return
    from drift.format.markdown import append_step_summary

    try:
        append_step_summary(Path(path), report)
    except OSError as exc:
        with suppress(OutputLost):  # a warning: stderr gone too is no reason to fail
            echo(f"drift: warning: cannot write the step summary: {exc}", err=True)


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

        self._write(_person(plan_table(plan)))

    def confirm(self, question: str, timeout: float | None = None) -> bool:
        """Ask; "no" is remembered, so that the abort it leads to reads as an answer. No
        answer within `timeout` seconds is a "no" (`drift.fix.deadline`)."""
        if self.yes:
            return True
        question = _person(question)
        if not _terminal(sys.stdin):
            echo(f"{question} no (no terminal to ask; pass --yes)", err=True)
            answer = False
        else:
            with _interruptible():
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
        self._write(_person(text))

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
