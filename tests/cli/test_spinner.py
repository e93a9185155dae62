"""The progress line turns, and a long one stays on one line (cut to the terminal's width)."""

from __future__ import annotations

import io

from rich.console import Console

from drift.live.calls import CallRunner
from drift.progress import ProgressView
from drift.settings import load_settings


def frames(view: ProgressView, width: int, times: list[float]) -> list[str]:
    clock = iter(times)
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system=None)
    console.get_time = lambda: next(clock)  # type: ignore[method-assign]
    lines = []
    for _ in times:
        out.seek(0)
        out.truncate()
        console.print(view)
        lines.append(out.getvalue())
    return lines


def runner() -> CallRunner:
    runner = CallRunner(load_settings().access().limits)
    runner.counts["GetService"] += 1
    return runner


def test_the_spinner_turns() -> None:
    view = ProgressView("checking staging", runner(), started=0.0)
    shown = frames(view, 80, [0.0, 0.1, 0.2, 0.3])
    assert len({line[0] for line in shown}) == 4, shown
    assert shown[-1].rstrip().endswith("checking staging: 1 API call · 0.3s")


def test_a_long_message_stays_on_one_line() -> None:
    view = ProgressView("checking " + "very-long-environment-name-" * 5, runner(), started=0.0)
    (shown,) = frames(view, 40, [1.0])
    assert shown.count("\n") == 1 and len(shown.rstrip("\n")) <= 40
    assert shown.rstrip().endswith("…")


def test_a_hostile_label_is_shown_escaped() -> None:
    view = ProgressView("checking \x1b[2Jstaging", runner(), started=0.0)
    (shown,) = frames(view, 80, [1.0])
    assert "\x1b[2J" not in shown and "\\x1b[2J" in shown
