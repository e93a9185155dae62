"""A live progress line on a terminal while a scan runs (API calls made, time spent); nothing
at all when stderr is not a terminal, so CI logs and pipes stay clean."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

from drift.live.calls import CallRunner
from drift.live.quota import waiting_words
from drift.textsafe import plural, visible

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


def wanted(*, quiet: bool = False) -> bool:
    return not quiet and sys.stderr.isatty()


class ProgressView:
    """The progress line: one spinner for the whole run (its clock turns it), then the
    message, cut to the terminal's width — a line that wraps cannot be redrawn in place."""

    def __init__(self, label: str, runner: CallRunner, started: float) -> None:
        from rich.spinner import Spinner

        self.label = visible(label)
        self.runner = runner
        self.started = started
        self.spinner = Spinner("dots")

    def message(self, now: float) -> str:
        calls = sum(self.runner.counts.values())
        retries = sum(self.runner.retries.values())
        text = f"{self.label}: {plural(calls, 'API call')}"
        if retries:
            text += f", {retries} retried"
        text += f" · {now - self.started:.1f}s"
        quota = waiting_words(self.runner.waits, self.runner.clock())
        return f"{text} · {quota}" if quota else text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        now = console.get_time()
        frame = self.spinner.render(now)  # "⠋ ", turning with the console's clock
        line = frame.copy() if isinstance(frame, Text) else Text()
        line.append(self.message(now))
        line.truncate(options.max_width, overflow="ellipsis")
        line.no_wrap = True
        yield line


@contextmanager
def progress(label: str, runner: CallRunner, *, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    from rich.console import Console
    from rich.live import Live

    view = ProgressView(label, runner, time.monotonic())
    console = Console(stderr=True)
    live = Live(view, console=console, transient=True, refresh_per_second=8)
    started = False
    try:
        live.start(refresh=True)  # what `with live:` does, but a stop that always runs
        started = True
        yield
    finally:
        # A Ctrl-C (or SIGTERM taken as one) can land while the line starts or stops: `with
        # live:` never stops a start it cut short, and a cut stop leaves what it had not done.
        # The cursor that start hid is shown again whatever happened (revcli88 F2).
        try:
            if started:
                live.stop()
            else:
                with suppress(Exception):  # a start cut short: stop what it set up
                    live.stop()
        finally:
            with suppress(OSError, ValueError):  # standard error gone: no cursor to show
                console.show_cursor(True)
