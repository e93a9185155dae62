"""Everything a command prints or writes goes through here: reports in a format, text to a
file or stdout (scrubbed of every secret drift read), the GitHub step summary, prompts."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from drift.errors import UsageError
from drift.format import OutputFormat

if TYPE_CHECKING:
    from drift.fix.model import Plan
    from drift.report import Report


def emit(text: str, output: Path | None = None) -> None:
    """Print `text`, or write it to `output`; scrubbed either way."""
    from drift.redact import scrub

    text = scrub(text)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


def say(text: str) -> None:
    """One line for a person (scrubbed)."""
    from drift.redact import scrub

    typer.echo(scrub(text))


def error(message: str, *, details: tuple[str, ...] = ()) -> None:
    """`drift: error: MESSAGE` on stderr, then indented detail lines (all scrubbed)."""
    from drift.redact import scrub

    typer.echo(f"drift: error: {scrub(message)}", err=True)
    for line in details:
        typer.echo(f"  {scrub(line)}", err=True)


def color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def render(report: Report, fmt: OutputFormat, *, quiet: bool = False) -> str:
    from drift.format import formatter_for

    if quiet and fmt is OutputFormat.TABLE:
        from drift.format.summary import summary_line

        return summary_line(report) + "\n"
    return formatter_for(fmt, color=color()).render(report)


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

        typer.echo(plan_table(plan))

    def confirm(self, question: str) -> bool:
        if self.yes:
            return True
        if not sys.stdin.isatty():
            typer.echo(f"{question} no (no terminal to ask; pass --yes)", err=True)
            return False
        with _interruptible():
            try:
                typer.echo(f"{question} [y/N]: ", nl=False)
                answer = sys.stdin.readline()
            except KeyboardInterrupt:
                typer.echo("")  # the message that follows starts on a line of its own
                raise
        return answer.strip().lower() in ("y", "yes")

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
