"""Everything a command prints or writes goes through here: reports in a format, text to a
file or stdout (scrubbed of every secret drift read; on a terminal, control characters shown
escaped), the GitHub step summary, prompts and error lines."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from drift.cli.session import STATE
from drift.errors import UsageError
from drift.format import OutputFormat

if TYPE_CHECKING:
    from drift.fix.model import Plan
    from drift.report import Report

_SGR = re.compile(r"(\x1b\[[0-9;]*m)")
"""A color code (Select Graphic Rendition): the only escape drift's own table writes."""


def emit(text: str, output: Path | None = None, *, colored: bool = False) -> None:
    """Print `text`, or write it to `output`; scrubbed either way. On a terminal, control
    characters are shown escaped (`colored`: except the color codes drift's own table
    wrote); a file gets the text as it is (JSON, YAML and scripts must stay what they are)."""
    from drift.redact import scrub

    text = scrub(text)
    if output is None:
        if sys.stdout.isatty():
            text = _for_terminal(text, colored=colored)
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


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


def say(text: str) -> None:
    """One line for a person (masked, control characters shown escaped)."""
    typer.echo(_person(text))


def error(message: str, *, details: tuple[str, ...] = ()) -> None:
    """`drift: error: MESSAGE` on stderr, then indented detail lines (masked, control
    characters shown escaped)."""
    typer.echo(f"drift: error: {_person(message)}", err=True)
    for line in details:
        typer.echo(f"  {_person(line)}", err=True)


def emit_report(
    report: Report, fmt: OutputFormat, output: Path | None = None, *, quiet: bool = False
) -> None:
    """The report in `fmt` on stdout or in `output`; with `output`, the summary line on
    stderr too, so that a CI log says what happened."""
    colored = output is None and color()  # a file never gets color codes
    emit(render(report, fmt, quiet=quiet, colored=colored), output, colored=colored)
    if output is not None:
        from drift.format.summary import summary_line

        typer.echo(_person(summary_line(report)), err=True)


def color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


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
    from drift.format import formatter_for
    from drift.format.markdown import append_step_summary
    from drift.redact import scrub

    text = scrub(formatter_for(OutputFormat.MARKDOWN).render(report))
    try:
        append_step_summary(Path(path), text)
    except OSError as exc:
        typer.echo(f"drift: warning: cannot write the step summary: {exc}", err=True)


class PromptUI:
    """Prompts on a terminal; without one, a question is answered "no"."""

    def __init__(self, *, yes: bool) -> None:
        self.yes = yes

    def show_plan(self, plan: Plan) -> None:
        from drift.fix.render import plan_table

        typer.echo(_person(plan_table(plan)))

    def confirm(self, question: str) -> bool:
        """Ask; "no" is remembered, so that the abort it leads to reads as an answer."""
        if self.yes:
            return True
        question = _person(question)
        if not sys.stdin.isatty():
            typer.echo(f"{question} no (no terminal to ask; pass --yes)", err=True)
            answer = False
        else:
            with _interruptible():
                try:
                    typer.echo(f"{question} [y/N]: ", nl=False)
                    answer = sys.stdin.readline().strip().lower() in ("y", "yes")
                except KeyboardInterrupt:
                    typer.echo("")  # the message that follows starts on a line of its own
                    raise
        if not answer:
            STATE.declined = True
        return answer

    def say(self, text: str) -> None:
        say(text)


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
