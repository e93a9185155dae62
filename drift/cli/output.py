"""Everything a command prints or writes goes through here: reports in a format, text to a
file or stdout (scrubbed of every secret drift read; on a terminal, control characters shown
escaped), the GitHub step summary, prompts and error lines."""

from __future__ import annotations

import codecs
import os
import re
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from drift.cli.session import STATE
from drift.cli.streams import (
    MACHINE_FORMATS,
    descriptor,
    document,
    lost_message,
    silence,
    whole,
)
from drift.errors import OutputLost, UsageError
from drift.format import OutputFormat

if TYPE_CHECKING:
    from drift.errors import Problem
    from drift.live.session import Access
    from drift.live.storage import StorageObject
    from drift.report import Report

    Destination = Path | StorageObject

_SGR = re.compile(r"(\x1b\[[0-9;]*m)")
"""A color code (Select Graphic Rendition): the only escape drift's own table writes."""
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")
"""What `typer.echo` takes out of text written off a terminal, for `_as_echoed`: typer 0.29's
own copy of click strips this (typer/_click/_compat.py `_ansi_re`, `strip_ansi`). click 8.5's
`echo` strips more (`\x1b[2~`, `\x1b[38:5:1m`: any ECMA-48 CSI sequence), but drift does not
import click (no dependency of its own); no text of drift's reaches here with a raw escape
(`textsafe.visible` shows a value's escaped)."""


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
    is (JSON, YAML and scripts must stay what they are), and so does a pipe (`document`),
    every byte of it or one message (`whole`: never a file cut short by a full disk);
    `summary` (what was written, the exit code's why) then goes to stderr: never a bare exit
    (a report's own summary line is said after all its outputs: `destinations.said`)."""
    from drift.files import write_whole
    from drift.redact import scrub

    text = scrub(text)
    if output is None:
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            from drift.cli.streams import lost_message

            raise UsageError(lost_message(None), hint="write it to a file: --output FILE")
        if sys.stdout.isatty():
            text = _for_terminal(text, colored=colored)
        elif fmt in MACHINE_FORMATS and (fd := descriptor()) is not None:
            whole(fd, document(text))
            return
        echo(text, nl=not text.endswith("\n"))
        return
    text = text if text.endswith("\n") else text + "\n"
    if not isinstance(output, Path):
        _upload(text.encode(), output, access)
    else:
        write_whole(output, text, replace_links=True)
    if summary:  # "wrote FILE: …": only once it was
        echo(readable(summary), err=True)


def _upload(data: bytes, target: StorageObject, access: Access | None) -> None:
    from drift.cli.loop import run
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
    from drift.cli.loop import run
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


def readable(text: str, *, echo: bool = True) -> str:
    """Free text for a person: masked, scrubbed, every control character shown, and no line
    a CI runner would run as a workflow command (`textsafe.prose_lines`). `echo=False`: text
    drift rendered with every value masked where it is shown (a plan's table, as `drift plan`
    prints it), in which a server's cut-off prefix of a secret is not looked for: the start
    of a live secret would hide the same start of a value the profile sets."""
    from drift.redact import mask, scrub
    from drift.textsafe import prose_lines

    return prose_lines(scrub(mask(text, echo=echo)))


def say(text: str, *, err: bool = False) -> None:
    """One line for a person (masked, control characters shown escaped); `err`: on stderr,
    when stdout carries a document (`prose_to_stderr`)."""
    echo(readable(text), err=err)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """`typer.echo`; a stream that cannot be written (a closed pipe, a full disk) or that
    was closed when drift started is OutputLost, one message, and from then on writes to
    /dev/null (`drift.cli.streams`). Standard output off a terminal (a file, a pipe) gets
    every byte or that message, never a cut text and exit 0 (`whole`)."""
    if (sys.stderr if err else sys.stdout) is None:  # started closed (`>&-`): click's echo
        raise OutputLost(lost_message(None, err=err))  # writes into nothing, silently
    if not err and not sys.stdout.isatty() and (fd := descriptor()) is not None:
        whole(fd, _as_echoed(text, nl=nl))
        return
    try:
        typer.echo(text, nl=nl, err=err)
    except OSError as exc:
        silence(sys.stderr if err else sys.stdout)
        raise OutputLost(lost_message(exc, err=err)) from exc


def _as_echoed(text: str, *, nl: bool) -> bytes:
    """The bytes `typer.echo` writes of `text` to standard output off a terminal: escape
    sequences taken out (`_ANSI`), a line break added (`nl`), encoded as the stream is (the
    locale's, errors as `drift.cli._any_locale` set them), but for an ASCII one
    (`PYTHONIOENCODING=ascii`): click (typer's copy too) takes that for misconfigured and writes
    through its buffer as UTF-8, errors replaced (_compat.py `_force_correct_text_writer`,
    `_stream_is_misconfigured`, `get_best_encoding`)."""
    text = _ANSI.sub("", text) + ("\n" if nl else "")
    if os.linesep != "\n":  # what the text layer translates "\n" to
        text = text.replace("\n", os.linesep)
    encoding, errors = sys.stdout.encoding or "ascii", sys.stdout.errors or "strict"
    if codecs.lookup(encoding).name == "ascii":  # as click's `is_ascii_encoding`
        encoding, errors = "utf-8", "replace"
    return text.encode(encoding, errors)


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
        typer.echo(f"drift: error: {readable(message)}", err=True)
        for line in details:
            typer.echo(f"  {readable(line)}", err=True)
        if not annotated:
            annotate_error(message)
    except OSError:  # stderr is gone too: the exit code says it
        silence(sys.stderr)


def annotate_error(*messages: str) -> None:
    """Under `--format github` (`STATE.annotate`), each message as an `::error` workflow
    command (`error_line`) on stderr: an error's (`error`), and the lines a command that
    stopped said as its outcome (`drift fix` aborted, exit 4), so that the run's page says why
    the step failed. An `OSError` is the caller's."""
    if STATE.annotate:
        from drift.format.github_problems import error_line

        for message in messages:
            typer.echo(error_line(message, show=readable), err=True)


def annotate(problems: Iterable[Problem]) -> None:
    """Each problem of an input as an `::error` workflow command on its file and line, as
    `--format github` annotates findings (escaped the same way; masked, made visible), capped
    and cut as `drift profiles validate --format github` does (one rule: `problem_lines`)."""
    from drift.format.github_problems import problem_lines

    lines = problem_lines(
        list(problems), title="drift", show=readable, listed="the error message lists them all"
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
    summary: bool = False,
) -> None:
    """The report in `fmt` on stdout or in `output` (`text`: already rendered in `fmt`;
    `summary`: `render`'s); the summary line on stderr is said once every output was tried
    (`destinations.said`)."""
    colored = output is None and color()  # a file never gets color codes
    if text is None:
        text = render(report, fmt, quiet=quiet, colored=colored, summary=summary)
    emit(text, output, colored=colored, access=access, fmt=fmt)


def color() -> bool:
    """Colour codes on a terminal, unless NO_COLOR is set to something ("when present and
    not an empty string (regardless of its value)", https://no-color.org: `NO_COLOR=` is not
    set) or the terminal says it has none (`TERM=dumb`)."""
    if sys.stdout is None or not sys.stdout.isatty():
        return False
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def render(
    report: Report,
    fmt: OutputFormat,
    *,
    quiet: bool = False,
    colored: bool = False,
    summary: bool = False,
) -> str:
    """The report in `fmt` (`colored`: the table's colors, for `emit(..., colored=True)`;
    `summary`: the step summary is written beside it, which github's may send the reader to)."""
    from drift.format import formatter_for

    if quiet and fmt is OutputFormat.TABLE:
        from drift.format.summary import summary_line

        return summary_line(report) + "\n"
    return formatter_for(fmt, color=colored, summary=summary).render(report)


def markdown(report: Report, failed: list[str], code: int) -> str:
    """The Markdown summary of a check whose outputs `failed` (it then exits `code`)."""
    from drift.format.markdown import Lost, MarkdownFormat

    return MarkdownFormat(lost=Lost(tuple(failed), code)).render(report)


def step_summary_file() -> Path | None:
    """The step summary file, in GitHub Actions."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    return Path(path) if os.environ.get("GITHUB_ACTIONS") == "true" and path else None


def step_summary_writable() -> bool:
    """Whether the step summary can be appended to (`step_summary` is called after the
    report, which may send the reader to it): in GitHub Actions, a file drift can open for
    appending, or a directory to make it in, and not full. Tried without writing (a FIFO
    never waited on); a write that fails even so is warned of as before."""
    from drift.format.markdown import STEP_SUMMARY_LIMIT

    path = step_summary_file()
    if path is None:
        return False
    try:
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK)
    except FileNotFoundError:
        return os.access(path.parent, os.W_OK)
    except OSError:  # a directory, read-only, a FIFO no one reads
        return False
    try:
        return os.fstat(handle).st_size < STEP_SUMMARY_LIMIT
    finally:
        os.close(handle)


def writes_step_summary(where: Destination | None) -> bool:
    """Whether `where` (None: standard output) is the step summary file itself: `--format
    markdown >> "$GITHUB_STEP_SUMMARY"`, the README's recipe, or `--output
    "$GITHUB_STEP_SUMMARY"`. The step may have written to it already, and GitHub drops the
    whole summary past its limit (helper-603 F3)."""
    path = step_summary_file()
    if path is None or not (where is None or isinstance(where, Path)):
        return False
    try:
        mine = os.fstat(sys.stdout.fileno()) if where is None else os.stat(where)
        theirs = os.stat(path)
    except (OSError, ValueError, AttributeError):  # not there yet, or no standard output
        return where is not None and os.path.abspath(where) == os.path.abspath(path)
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)


def append_summary(report: Report, failed: list[str] | None = None, code: int = 0) -> bool:
    """Append the Markdown summary to the step summary file, within the room the step left
    (`append_step_summary`), with the outputs that `failed` to be written and the exit `code`
    the run then ends with; whether it was (no room left: `no_room` says why); an OSError is
    the caller's."""
    from drift.format.markdown import Lost, append_step_summary

    path = step_summary_file()
    assert path is not None
    return append_step_summary(path, report, lost=Lost(tuple(failed), code) if failed else None)


def summary_not_written(append: Callable[[], bool], what: str) -> str | None:
    """Why `append` (a write to the step summary file, whether it appended anything) did not
    write `what` there: no room left (`no_room`), or the write failed (a full disk, a file
    not writable: the file named as the variable, and the system's reason); None: written."""
    from drift.textsafe import visible

    try:
        return None if append() else no_room(what)
    except OSError as exc:
        shown = visible(str(step_summary_file()))  # the variable's value, as any of the runner's
        return f"cannot write the step summary GITHUB_STEP_SUMMARY={shown}: {exc.strerror or exc}"


def no_room(what: str) -> str:
    """Why `what` was not appended to the step summary file (`append_within` appended
    nothing): the file named as the variable, how much room the step left, and why that is
    all there is. An OSError (the file gone since) is the caller's."""
    from drift.format.markdown import STEP_SUMMARY_LIMIT
    from drift.textsafe import visible

    path = step_summary_file()
    assert path is not None
    size = path.stat().st_size
    return (
        f"cannot write the step summary GITHUB_STEP_SUMMARY={visible(str(path))}: no room left "
        f"for {what} ({_bytes(max(STEP_SUMMARY_LIMIT - size, 0))} left, too few: GitHub shows "
        f"none of a step's summary past {STEP_SUMMARY_LIMIT} bytes, and the step wrote {size} "
        "already)"
    )


def step_summary(report: Report, failed: list[str] | None = None, code: int = 0) -> None:
    """In GitHub Actions, append the Markdown summary to the step summary file: with the
    outputs that `failed` to be written, and the exit `code` the run then ends with."""
    path = step_summary_file()
    if path is None:
        return
    # not written: said, never silent; the annotations and the exit code stand
    said = summary_not_written(lambda: append_summary(report, failed, code), "drift's summary")
    if said is not None:
        with suppress(OutputLost):  # a warning: stderr gone too is no reason to fail
            echo(f"drift: warning: {said}; the report itself is as printed", err=True)


def _bytes(count: int) -> str:
    """`1 byte`, `2 bytes`."""
    return f"{count} byte" if count == 1 else f"{count} bytes"
