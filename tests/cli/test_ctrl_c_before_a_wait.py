"""A Ctrl-C whose signal is handled just before a wait begins (tests/cli/test_late_signals.py
makes it land there with a real signal, which it does only when the process is already waiting
as it arrives: a race). Here the moment is made exact, in-process: the wait's stand-in does
what the signal's C-level handler does (it writes the signal's byte to the wakeup fd, if one is
set) before the real wait begins, which then sees no EINTR, and runs the Python-level handler
only once the wait returns, as the interpreter does. A wait that nothing else would end fails
the test (after WOULD_WAIT_FOREVER seconds) instead of hanging."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import selectors
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from drift.cli.loop import run
from drift.cli.prompt import PromptUI
from drift.errors import Interrupted
from tests.cliutil import ctrl_c_as_a_terminal_has_it

WOULD_WAIT_FOREVER = 5.0


@pytest.fixture(autouse=True)
def _ctrl_c_handled() -> Iterator[None]:
    """Python's KeyboardInterrupt handler for SIGINT, as drift has it run from a terminal,
    also when the suite runs as a shell's background job (`make test &`: SIGINT ignored)."""
    with ctrl_c_as_a_terminal_has_it():
        yield


def _ctrl_c_just_before(wait: Callable[[float | None], Any], timeout: float | None) -> Any:
    """`wait(timeout)` with a Ctrl-C that landed just before it."""
    wakeup = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup)
    if wakeup != -1:
        os.write(wakeup, bytes([signal.SIGINT]))
    ready = wait(WOULD_WAIT_FOREVER if timeout is None else timeout)
    assert ready or timeout is not None, "a Ctrl-C just before the wait left it waiting on"
    handler = signal.getsignal(signal.SIGINT)
    assert callable(handler)
    handler(signal.SIGINT, None)  # the interpreter's next look at its signals
    return ready


def test_a_ctrl_c_just_before_the_prompt_reads_ends_the_prompt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`drift.cli.prompt._answer` waits in slices: a Ctrl-C landed before the read is seen
    within one slice, though nothing is typed."""
    real_select = select.select
    waits: list[float | None] = []

    def landed_before(rlist: Any, wlist: Any, xlist: Any, timeout: float | None = None) -> Any:
        waits.append(timeout)
        if len(waits) > 1:
            return real_select(rlist, wlist, xlist, timeout)
        return _ctrl_c_just_before(lambda t: real_select(rlist, wlist, xlist, t)[0], timeout)

    monkeypatch.setattr(select, "select", landed_before)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # the question is on stdout
    parent, child = pty.openpty()
    with os.fdopen(child, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        with pytest.raises(KeyboardInterrupt):
            PromptUI(yes=False).confirm("Go ahead?")
    os.close(parent)
    assert len(waits) == 1, waits


def test_a_ctrl_c_just_before_the_event_loop_waits_ends_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`drift.cli.loop._woken`: the loop watches the wakeup fd, so the wait that a Ctrl-C
    landed before ends at once, and the run with it, though no timer or I/O would end it."""
    armed: list[bool] = []

    class Selector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
        def select(self, timeout: float | None = None) -> Any:
            if not armed:
                return super().select(timeout)
            armed.clear()
            return _ctrl_c_just_before(super().select, timeout)

    monkeypatch.setattr(selectors, "DefaultSelector", Selector)

    async def wait_forever() -> None:
        armed.append(True)  # the loop's next wait: the one the Ctrl-C lands before
        await asyncio.Event().wait()  # no timer, no I/O: only a signal can end this

    with pytest.raises(Interrupted, match="the check is incomplete"):
        run(wait_forever())
    assert armed == []
