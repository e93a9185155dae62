"""A live progress line on a terminal while a scan runs (API calls made, time spent); nothing
at all when stderr is not a terminal, so CI logs and pipes stay clean."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from drift.live.calls import CallRunner


def wanted(*, quiet: bool = False) -> bool:
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress(label: str, runner: CallRunner, *, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    from rich.console import Console
    from rich.live import Live
    from rich.spinner import Spinner
    from rich.text import Text

    started = time.monotonic()

    class _View:
        def __rich__(self) -> Spinner:
            calls = sum(runner.counts.values())
            retries = sum(runner.retries.values())
            text = f"{label}: {calls} API calls"
            if retries:
                text += f", {retries} retried"
            text += f" · {time.monotonic() - started:.1f}s"
            return Spinner("dots", Text(text))

    with Live(_View(), console=Console(stderr=True), transient=True, refresh_per_second=8):
        yield
