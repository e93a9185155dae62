"""The caller's side of tests/zygote.py as a program: the `drift` and `python` stand-ins that
`stand_ins` writes run `main`, which hands the zygote this process's arguments, environment,
working directory and standard streams, passes on the signals it gets, and exits as the run
did. A `python` that is not asked for `-m drift…` or `-c CODE…` becomes the real interpreter."""

from __future__ import annotations

import os
import resource
import signal
import sys
from pathlib import Path

from tests.zygote import Run

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGABRT)
"""Passed on to the run (SIGABRT: tests/fix/terminal.py aborts a hung drift to see its
stacks); SIGKILL and SIGSTOP cannot be: a test that sends them needs a fresh drift."""


def main(path: str, mode: str, python: str, closed: tuple[int, ...] = ()) -> None:
    """`closed`: which of descriptors 0-2 were closed when this program started (`>&-`): the
    run starts with them closed too, its `sys.stdout` (…) None, as a fresh interpreter's."""
    args = sys.argv[1:]
    module = None
    more: dict[str, object] = {}
    if mode == "python":
        if args[:1] == ["-c"] and args[1:2]:  # `python -c CODE ARGS`
            more["code"], args = args[1], args[2:]
        elif args[:1] != ["-m"] or not args[1:2] or not args[1].startswith("drift"):
            os.execv(python, [python, *args])
        else:
            module, args = args[1], args[2:]
    request = {
        **more,
        "args": args,
        "module": module,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "closed": list(closed),
        # a signal ignored here (a non-interactive shell's `drift &` has SIGINT ignored) stays
        # ignored across exec: the run ignores it too, and it is not passed on
        "ignored": [int(n) for n in FORWARDED if signal.getsignal(n) == signal.SIG_IGN],
        # what exec passes on to a program, this one's `ulimit -f` (the run is the zygote's
        # child, not this process's): tests/reliability/test_journal_fsize.py caps it
        "fsize": list(resource.getrlimit(resource.RLIMIT_FSIZE)),
    }
    # a signal that comes before the run's pid is known waits for it (held back, then passed on)
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    run = Run(path, request, [fd for fd in (0, 1, 2) if fd not in closed])
    for number in set(FORWARDED) - set(request["ignored"]):
        signal.signal(number, lambda received, _: os.kill(run.pid, received))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    code = run.wait()
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


CLOSED = """def valid(fd):
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
closed = tuple(fd for fd in (0, 1, 2) if not valid(fd))
"""
"""Which standard descriptors are closed, found before anything opens one (CPython's
`is_valid_fd`, Python/pylifecycle.c, asks fstat too): a socket opened later takes the lowest."""


def stand_ins(into: Path, path: str) -> tuple[Path, Path]:
    """`drift` and `python` programs in `into` that run through the zygote at `path` (`-B`:
    they write no bytecode, as they may run under a test's `ulimit -f`)."""
    repo = Path(__file__).resolve().parents[1]
    made = []
    for mode in ("drift", "python"):
        program = into / mode
        program.write_text(
            f"#!{sys.executable} -IBS\nimport os, sys\n{CLOSED}"
            f"sys.path.insert(0, {str(repo)!r})\n"
            f"from tests.zygote_client import main\n"
            f"main({path!r}, {mode!r}, {sys.executable!r}, closed)\n"
        )
        program.chmod(0o755)
        made.append(program)
    return made[0], made[1]
