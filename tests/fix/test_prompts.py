"""Ctrl-C at a prompt ends at once (issue 21 item 3): a real `drift fix` on a terminal, SIGINT
while it waits for an answer. It used to be echoed and ignored until Enter (the prompt blocks
inside asyncio.run, whose handler only cancels a task), then "Aborted!" and exit 1. Now: exit 4
within seconds, the state in one line, the journal accurate, the lock released. Once a canary
exists, Ctrl-C is an abort like a "no": the cleanup runs first (a second Ctrl-C stops it)."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest

from drift.cli.prompt import PromptUI
from drift.errors import ExitCode
from drift.fix import deadline
from drift.fix.apply import FixOptions
from drift.fix.context import Stop
from drift.fix.journal import State
from drift.sandbox import Sandbox
from drift.sandbox.faults import Fault
from tests.cliutil import REPO, drift
from tests.fix.conftest import PROJECT, ScriptedUI, assert_serves_as_before, entries, fix, updates
from tests.fix.terminal import Script, Terminal, converse, on_a_terminal


def fix_web(sandbox: Sandbox, tmp_path: Path) -> Terminal:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    args = ["fix", "e2e", "--service", "web", "--profiles", str(REPO / "profiles")]
    return on_a_terminal(args, env, tmp_path)


def test_ctrl_c_at_the_first_prompt(sandbox: Sandbox, tmp_path: Path) -> None:
    proc, primary = terminal = fix_web(sandbox, tmp_path)
    output = converse(terminal, [(b"no traffic? [y/N]", signal.SIGINT)]).decode()
    assert proc.returncode == 4, output
    lines = [line for line in output.splitlines() if "interrupted" in line]
    assert lines == ["drift: error: interrupted: nothing was changed"], output
    assert "Aborted!" not in output and "Traceback" not in output
    assert updates(sandbox) == [] and entries(tmp_path) == []
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))


def test_ctrl_c_at_the_promotion_prompt(sandbox: Sandbox, tmp_path: Path) -> None:
    """An abort like a "no" (SPEC invariant 9): the canary's tag goes and the routing that
    served is back, then exit 4 and one line."""
    before = sandbox.service(PROJECT, "web")
    proc, _ = terminal = fix_web(sandbox, tmp_path)
    script: Script = [(b"no traffic? [y/N]", b"y\n"), (b"Move all traffic of web", signal.SIGINT)]
    output = converse(terminal, script).decode()
    assert proc.returncode == 4, output
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP  # the journal is accurate
    ended_at_the_promotion_prompt(output, sandbox, tmp_path, before, entry.canary_revision)


def ended_at_the_promotion_prompt(
    output: str, sandbox: Sandbox, tmp_path: Path, before: Any, canary: str
) -> None:
    """web's fix ended as a Ctrl-C at its promotion prompt: one line saying so, the canary
    cleaned up, no lock left, web serving as before."""
    (line,) = [line for line in output.splitlines() if line.startswith("drift: error:")]
    assert line.startswith(
        "drift: error: interrupted: web: Ctrl-C at the promotion prompt; cleaned up: "
    ), output
    assert line.endswith("nothing is left to roll back"), output
    assert "Traceback" not in output
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))
    assert_serves_as_before(sandbox, PROJECT, "web", before, canary)


def test_ctrl_c_again_during_the_cleanup(sandbox: Sandbox, tmp_path: Path) -> None:
    """A second Ctrl-C while the cleanup's write is in flight stops the cleanup: one line
    with the rollback that finishes it, the journal accurate (the restoration begun, its
    outcome unknown: CLEANING_UP, landed None), the change's lock kept (it is unfinished) and
    said, and that rollback takes it over and works once the write has ended."""
    before = sandbox.service(PROJECT, "web")
    proc, _ = terminal = fix_web(sandbox, tmp_path)
    seen = 0

    def slow_writes_then_ctrl_c() -> int:
        # slow writes from the promotion prompt on (the canary's own write before it is not
        # slowed); the calls so far are not the cleanup's
        nonlocal seen
        seen = len(sandbox.calls)
        sandbox.inject(Fault(method="UpdateService", code=None, latency_ms=SLOW_WRITE_MS))
        return signal.SIGINT

    def ctrl_c_during_the_cleanups_write() -> int:
        # revown54 F3: sent once the sandbox has the cleanup's UpdateService in flight, never
        # before it (a Ctrl-C before the write is another test's case), however loaded the
        # machine
        assert _in_flight(sandbox, "UpdateService", seen), "the cleanup made no write"
        return signal.SIGINT

    script: Script = [
        (b"no traffic? [y/N]", b"y\n"),
        (b"Move all traffic of web", slow_writes_then_ctrl_c),
        (b"(Ctrl-C again stops this)", ctrl_c_during_the_cleanups_write),
    ]
    output = converse(terminal, script).decode()
    assert proc.returncode == 3, output  # the cleanup's outcome unknown (helper-661 B4)
    (entry,) = entries(tmp_path)
    last = entry.writes[-1]  # the restoration's write, begun, its outcome unknown
    assert (entry.state, last["step"], last["landed"]) == (State.CLEANING_UP, "cleanup", None)
    (line,) = [line for line in output.splitlines() if line.startswith("drift: error:")]
    assert line.startswith("drift: error: interrupted: web: Ctrl-C at the promotion prompt"), line
    assert f"`drift rollback {entry.change_id}` finishes it" in line
    assert "Traceback" not in output
    (lock,) = (tmp_path / ".drift" / "journal" / "locks").glob("*--services--*.lock")
    assert f"drift keeps its lock {lock}" in line
    sandbox.clear_faults()
    # the write drift left in flight ends on the server (cancelled with drift's channel, as
    # it happened: drift cannot know whether it landed), before the rollback reads the service
    assert _in_flight(sandbox, "UpdateService", seen, ended=True)
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    done = drift("rollback", entry.change_id, "--yes", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)
    assert not lock.exists()


SLOW_WRITE_MS = 3_000
"""Long enough for the second Ctrl-C to land during the write (it is sent as soon as the
sandbox has the call), short enough to wait for its end before the rollback."""


def _in_flight(sandbox: Sandbox, method: str, since: int, *, ended: bool = False) -> bool:
    """Whether a `method` call after the first `since` calls is running on the sandbox (with
    `ended`: has ended), waiting for it up to 15 s."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        calls = [c for c in sandbox.calls[since:] if c.short == method]
        if calls and (calls[-1].code != "PENDING") == ended:
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_sigterm_or_sighup_at_the_promotion_prompt_cleans_up_as_ctrl_c(
    sandbox: Sandbox, tmp_path: Path, sent: signal.Signals
) -> None:
    """`docker stop` or a cancelled CI job (SIGTERM), a terminal that closes (SIGHUP): an
    abort like Ctrl-C there (SPEC invariant 9), never a silent death that leaves the canary
    tagged, traffic pinned and the lock held. After SIGHUP the terminal is gone: the journal
    says how it ended."""
    before = sandbox.service(PROJECT, "web")
    proc, _ = terminal = fix_web(sandbox, tmp_path)
    script: Script = [(b"no traffic? [y/N]", b"y\n"), (b"Move all traffic of web", sent)]
    output = converse(terminal, script).decode()
    assert proc.returncode == 4, output
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    # the journal names the signal: after SIGHUP it is all that says how the fix ended
    assert entry.history[-3]["note"].startswith(f"web: {sent.name} at the promotion prompt")
    if sent == signal.SIGTERM:  # the terminal is still there: one line naming the signal
        assert "Ctrl-C at" not in output, output
        (line,) = [line for line in output.splitlines() if line.startswith("drift: error:")]
        assert line.startswith(
            "drift: error: interrupted: web: SIGTERM at the promotion prompt; cleaned up: "
        ), output
    assert "Traceback" not in output
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)


class Clock:
    """`drift.fix.deadline.clock`, moved on by hand: hours pass at a prompt in no time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_no_answer_by_the_deadline_declines_and_cleans_up_inside_the_window(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revtime 6: CLEANUP_WINDOW (2 h) takes every fix for ended 2 h after its canary, so the
    promotion prompt gives at most that minus the clean-up's room, and no answer by then is a
    "no", cleaned up as a decline, saying why."""
    clock = Clock()
    monkeypatch.setattr(deadline, "clock", clock)
    before = sandbox.service(PROJECT, "web")

    def leave_it_open(question: str) -> None:  # the person walks away: the time runs out
        if question.startswith("Move all traffic"):
            clock.now += deadline.PROMPT_WINDOW

    ui = ScriptedUI([True, False], on_confirm=leave_it_open)
    result = fix(tmp_path, env, ui, FixOptions(), services=["web"])
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    assert ui.timeouts[0] is None  # the first prompt: nothing exists yet
    given = ui.timeouts[1]
    assert given is not None and 0 < given <= deadline.PROMPT_WINDOW == 110 * 60
    assert "no answer within 110 min" in outcome.message, outcome.message
    assert "restored the routing" in outcome.message, outcome.message
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    assert_serves_as_before(sandbox, PROJECT, "web", before, outcome.canary)


def test_a_proof_that_used_up_the_window_is_not_asked_to_promote(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(deadline, "clock", clock)

    def slow_write() -> float:  # the canary's write begins, then its probe takes 2 h
        began = clock.now
        clock.now += 2 * 3600
        return began

    monkeypatch.setattr("drift.fix.canary.started", slow_write)
    ui = ScriptedUI([True, True])
    result = fix(tmp_path, env, ui, FixOptions(), services=["web"])
    (outcome,) = result.outcomes
    assert len(ui.questions) == 1, ui.questions  # never asked to promote
    assert "promotion not asked: no time left" in outcome.message, outcome.message
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP


def _prompt_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], typed: bytes
) -> tuple[bool, str]:
    parent, child = pty.openpty()
    flush = termios.tcflush

    def typed_once_asked(fd: int, queue: int) -> None:  # drift drops what was typed before
        flush(fd, queue)
        if typed:
            os.write(parent, typed)

    monkeypatch.setattr(termios, "tcflush", typed_once_asked)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # the question is on stdout
    with os.fdopen(child, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        answer = PromptUI(yes=False).confirm("Move all traffic of web to web-x?", timeout=0.4)
    os.close(parent)
    return answer, capsys.readouterr().out


def test_the_terminal_prompt_says_no_when_its_time_is_over(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer, said = _prompt_on_a_terminal(monkeypatch, capsys, b"")
    assert answer is False, said
    # revown17 F3: the question says when it stops waiting, and the line saying it stopped
    # names the same time: never "no answer within 0 min" (the time left, rounded down)
    asked = re.fullmatch(
        r"Move all traffic of web to web-x\? \(no answer by (\d\d:\d\d UTC) means no\) "
        r"\[y/N\]: no \(no answer by (\d\d:\d\d UTC)\)\n",
        said,
    )
    assert asked and asked[1] == asked[2], said
    assert "0 min" not in said
    answer, said = _prompt_on_a_terminal(monkeypatch, capsys, b"y\n")
    assert answer is True and said.endswith("means no) [y/N]: "), said


# revown17 F2: the deadline counts the time the machine slept. time.monotonic stands still while
# it is suspended (Linux CLOCK_MONOTONIC "does not count time that the system is suspended";
# CLOCK_BOOTTIME does, clock_gettime(2); macOS's likewise), while the clean-up window is judged
# on the revisions' create times, wall-clock time.


def _sleeping_machine(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Wall time and CLOCK_BOOTTIME move on by what the returned list's only item says; the
    monotonic clocks stand still, as they do while a laptop's lid is closed."""
    slept = [0.0]
    real_time, real_gettime = time.time, time.clock_gettime
    counting = {time.CLOCK_REALTIME, getattr(time, "CLOCK_BOOTTIME", -1)}
    monkeypatch.setattr(time, "time", lambda: real_time() + slept[0])
    monkeypatch.setattr(
        time, "clock_gettime", lambda c: real_gettime(c) + (slept[0] if c in counting else 0.0)
    )
    return slept


def test_the_promotion_deadline_counts_time_the_machine_slept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept = _sleeping_machine(monkeypatch)

    class LidClosed:
        def confirm(self, question: str, timeout: float | None = None) -> bool:
            slept[0] += 3 * 3600  # closed at the prompt for 3 h, opened again: "y"
            return True

        def say(self, text: str) -> None:
            pass

    began = deadline.started()
    with pytest.raises(Stop, match="no answer within 110 min"):
        deadline.ask_promotion(LidClosed(), "web", "Move?", began)  # type: ignore[arg-type]


def test_the_prompt_stops_waiting_when_the_machine_slept_past_its_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    slept = _sleeping_machine(monkeypatch)
    looks = [0]
    real_select = select.select

    def select_while_asleep(*args: object) -> object:
        looks[0] += 1
        assert looks[0] < 20, "still waiting 3 h after its deadline"
        slept[0] += 3600  # each look at the terminal: the machine slept an hour meanwhile
        return real_select(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(select, "select", select_while_asleep)
    parent, child = pty.openpty()
    with os.fdopen(child, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        answer = PromptUI(yes=False).confirm("Move all traffic of web to web-x?", timeout=7200)
    os.close(parent)
    assert answer is False and "no (no answer" in capsys.readouterr().out
