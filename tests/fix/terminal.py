"""`drift` on a terminal (a pty), answered from a script: for Ctrl-C and kill -9 at a prompt."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.cliutil import drift_argv, spawn_as_a_terminal_does

PROMPTLY = 10.0
Terminal = tuple[subprocess.Popen[bytes], int]
Script = list[tuple[bytes, bytes | int | Callable[[], bytes | int]]]
"""(prompt, reply): the text to write, or a signal to send (or what a function returns, called
when the prompt appears: to change the sandbox at that point first)."""
CTRL_C_AT_WEB: Script = [
    (b"no traffic? [y/N]", b"y\n"),
    (b"Move all traffic of api", b"y\n"),
    (b"Move all traffic of auth", b"y\n"),
    (b"Move all traffic of web", signal.SIGINT),
]
"""`drift fix e2e` over api, auth and web: "y" to the canaries and to api's and auth's
promotions, Ctrl-C at web's."""


def on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> Terminal:
    """`drift ARGS` on a terminal of its own: this worker's stand-in (`drift_argv`: the run
    forked from the zygote, the signals a terminal sends passed on to it, SIGABRT too; a kill
    -9 goes to the run's own pid, as the lock it holds names it)."""
    return spawn_on_a_terminal([*drift_argv(), *args], env, cwd)


def spawn_on_a_terminal(argv: list[str], env: dict[str, str], cwd: Path) -> Terminal:
    primary, secondary = pty.openpty()
    proc: subprocess.Popen[bytes] = spawn_as_a_terminal_does(
        argv, env, stdin=secondary, stdout=secondary, stderr=secondary, cwd=cwd
    )
    os.close(secondary)
    return proc, primary


def converse(terminal: Terminal, script: Script) -> bytes:
    """For each (prompt, reply): wait for the prompt, then write the reply or send the
    signal; return everything printed until the process ends (within PROMPTLY of the last
    signal). A drift still running at the deadline is aborted (its threads' stacks are in the
    output of the failure) and always reaped."""
    proc, primary = terminal
    output = b""
    deadline = time.monotonic() + 60
    steps = list(script)
    signalled = 0.0
    seen = 0  # where the text after the last prompt answered begins
    try:
        while (left := deadline - time.monotonic()) > 0:
            if signalled and not steps:  # all said: it has PROMPTLY to end
                left = min(left, signalled + PROMPTLY - time.monotonic())
            if left <= 0 or not select.select([primary], [], [], left)[0]:
                break
            if not (chunk := read_some(primary)):
                break
            output += chunk
            # every prompt this read brought, each after the one before: a prompt and what
            # drift printed after it can come in one read (a Ctrl-C raised just before the
            # prompt: the prompt, then its clean-up's lines, more than 400 bytes of them)
            while steps and (at := output.find(steps[0][0], seen)) >= 0:
                seen = at + len(steps[0][0])
                _, step = steps.pop(0)
                reply = step() if callable(step) else step
                if isinstance(reply, int):
                    proc.send_signal(reply)
                    signalled = time.monotonic()
                else:
                    _type(primary, reply)
        output += _reap(proc, primary)
    finally:
        os.close(primary)
    assert not steps, output.decode(errors="replace")
    assert not signalled or time.monotonic() - signalled < PROMPTLY, output.decode(errors="replace")
    return output


def _type(primary: int, reply: bytes) -> None:
    """`reply` typed on the terminal; none where drift has ended and closed it (EIO)."""
    try:
        os.write(primary, reply)
    except OSError:
        pass


def read_some(primary: int) -> bytes:
    """What the terminal has printed since the last read (b"" once it is closed: the
    process ended and the pty's other side is gone, EIO on Linux)."""
    try:
        return os.read(primary, 4096)
    except OSError:
        return b""


def _reap(proc: subprocess.Popen[bytes], primary: int) -> bytes:
    """Wait for drift to end; one that does not is aborted (the faulthandler prints its
    stacks, returned here) and then killed, so that no test leaves a process behind."""
    try:
        proc.wait(timeout=PROMPTLY)
        return b""
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
    stacks = b""
    end = time.monotonic() + 5
    while proc.poll() is None and time.monotonic() < end:
        if select.select([primary], [], [], 0.2)[0]:
            try:
                stacks += os.read(primary, 65536)
            except OSError:
                break
    proc.kill()
    proc.wait()
    return b"\n--- drift did not end: aborted ---\n" + stacks
