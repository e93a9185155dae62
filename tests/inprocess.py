"""`drift ARGS` run inside the test's own process, as `python -m drift ARGS` would run it:
the same `drift.cli.main`, with this run's arguments, environment, working directory and
standard streams (files, as a process's are when a test captures them), its exit code taken
from the `SystemExit` that ends it, and everything a drift process keeps for its one command
(tests/conftest.py `_process_state_of_this_test_only`) fresh for each run and put back after.

A run costs half the CPU of a run forked from the zygote (tests/zygote.py: the child touches,
and so copies, the pages of everything the zygote imported; measured 2026-12-01, `check
staging`: 40 ms in-process, 82 ms forked), which is most of the suite's time. What a process
ending does for it is done here: a lock drift leaves for a stopped change has its flock let go
as it is left (`drift.fix.lock.Locks.keep`), and any it still holds are let go after the run.
A test whose drift must be another process than the test's own (a lock naming the test's pid
as a live process) sets `DRIFT_TESTS_FORK=zygote`; a test that starts two drifts at once, or
a run from another thread or from inside a drift run's event loop, goes to the zygote."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from tests.zygote import exit_code_of, stream_files, text_of

HERE = frozenset(
    {"check", "plan", "compare", "profiles", "history", "probe", "init", "fix", "rollback"}
)
"""The commands run in-process (`sandbox` and `demo` start servers and processes of their
own, and `sandbox` sets gRPC's logging before it is imported: a process each)."""

_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE)
_running = threading.Lock()


def runs_here(args: tuple[str, ...]) -> bool:
    """Whether `drift ARGS` can run in this process now (`HERE`, from the main thread, with
    no other in-process run and no event loop under way: a run from a test's callback that a
    `fix` called in-process goes to the zygote)."""
    return (
        bool(args)
        and args[0] in HERE
        and "--help" not in args
        and threading.current_thread() is threading.main_thread()
        and not _running.locked()
        and asyncio._get_running_loop() is None  # a test's callback inside drift's own loop
    )


def run(
    args: tuple[str, ...],
    *,
    env: Mapping[str, str],
    cwd: Path,
    stdin: str | None,
) -> subprocess.CompletedProcess[str]:
    """`drift ARGS` in this process (`runs_here` says when): its exit code and what it wrote
    on its standard output and error. A run that hangs is stopped by pytest-timeout (the
    test's `timeout`, pyproject.toml), with the test's traceback, as a failure."""
    with _running, stream_files(stdin) as files:
        code = _main(args, env, cwd, files)
        stdout, stderr = text_of(files[1]), text_of(files[2])
    argv = [sys.executable, "-m", "drift", *args]
    return subprocess.CompletedProcess(argv, code, _newlines(stdout), _newlines(stderr))


def _main(
    args: tuple[str, ...],
    env: Mapping[str, str],
    cwd: Path,
    files: tuple[IO[bytes], IO[bytes], IO[bytes]],
) -> int:
    from drift import next_steps, redact
    from drift.cli import main
    from drift.cli.session import STATE, RunState

    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_argv = sys.argv
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_signals = {number: signal.getsignal(number) for number in _SIGNALS}
    saved_threshold = gc.get_threshold()
    saved_freeze = gc.freeze
    saved_hook = sys.unraisablehook  # `drift.cli.signals.ctrl_c_never_swallowed` wraps it
    saved_known, saved_built = redact._known, next_steps._BUILT
    logger = logging.getLogger("drift")
    saved_handlers, saved_level = list(logger.handlers), logger.level
    saved_state = STATE.__dict__.copy()
    streams = [
        open(f.fileno(), mode, encoding="utf-8", closefd=False)  # noqa: SIM115
        for f, mode in zip(files, ("r", "w", "w"), strict=True)
    ]
    code = 0
    try:
        _environ_becomes(env)
        os.chdir(cwd)
        sys.argv = ["drift", *args]
        sys.stdin, sys.stdout, sys.stderr = streams
        signal.signal(signal.SIGINT, signal.default_int_handler)
        gc.freeze = lambda: None  # the process does not end with this command
        redact._known, next_steps._BUILT = redact.Secrets(), {}
        STATE.__dict__.update(RunState().__dict__)
        with warnings.catch_warnings():
            code = exit_code_of(main)
    finally:
        for stream in streams:
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        _environ_becomes(saved_environ)
        for number, handler in saved_signals.items():
            if handler is not None:
                signal.signal(number, handler)
        gc.freeze = saved_freeze
        sys.unraisablehook = saved_hook
        gc.set_threshold(*saved_threshold)
        redact._known, next_steps._BUILT = saved_known, saved_built
        logger.handlers[:] = saved_handlers
        logger.setLevel(saved_level)
        STATE.__dict__.update(saved_state)
        _let_go_of_locks()
    return code


def _environ_becomes(wanted: Mapping[str, str]) -> None:
    """`os.environ` made `wanted`, each variable that differs set or unset (as cleared and
    filled again, which set and unset each of them, twice a run)."""
    for name in [name for name in os.environ if name not in wanted]:
        del os.environ[name]
    for name, value in wanted.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def _let_go_of_locks() -> None:
    """As a process ends: the lock files a run still holds (`drift.fix.lockholder.HELD`) have
    their descriptors, and so their flocks, let go."""
    from drift.fix.lockholder import HELD

    if not HELD:
        return
    for name in os.listdir("/proc/self/fd"):
        try:
            if Path(os.readlink(f"/proc/self/fd/{name}")) in HELD:
                os.close(int(name))
        except OSError:
            pass
    HELD.clear()


def _newlines(text: str) -> str:
    """As `subprocess.run(text=True)` reads a stream (universal newlines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
