"""Standard output or error that cannot be written: a reader that closed the pipe (`drift check
| head`), a full disk (`> /dev/full`), a terminal gone. One message says so (on stderr, if it
still works), and from then on the stream goes to /dev/null: what drift would still print
(a cleanup's progress) and Python's own flush at exit (which would print a second, raw error
and end the process with 120) write nowhere instead of failing again.

Imports nothing but `os` and `sys`: `drift --version` uses it before anything else loads."""

from __future__ import annotations

import os
import sys
from typing import TextIO


def lost_message(exc: OSError | None, *, err: bool = False) -> str:
    """`cannot write the output to standard output: Broken pipe` (exc None: the stream was
    closed when drift started, `>&-`)."""
    stream = "standard error" if err else "standard output"
    why = "it is closed" if exc is None else (exc.strerror or str(exc) or type(exc).__name__)
    return f"cannot write the output to {stream}: {why}"


def silence(stream: TextIO | None) -> None:
    """Send what is still written to `stream` (the process's standard output or error) to
    /dev/null. Another stream (a test's capture, a file object without a descriptor) is left
    as it is."""
    try:
        fd = stream.fileno() if stream is not None else -1
    except (AttributeError, ValueError, OSError):
        return
    if fd not in (1, 2):
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(null, fd)
    except OSError:
        pass
    finally:
        os.close(null)


def say_on_stderr(line: str) -> None:
    """`drift: error: LINE` on stderr, if stderr can still be written; else nothing (the exit
    code says it)."""
    try:
        if sys.stderr is not None:
            sys.stderr.write(f"drift: error: {line}\n")
            sys.stderr.flush()
    except OSError:
        silence(sys.stderr)


def echo_failed(exc: OSError) -> bool | None:
    """Whether `exc` is a write of click's own `echo` that failed (the help text, a usage
    error: text drift's `drift.cli.output` does not write), and on which stream: False
    standard output, True standard error; None when it came from anywhere else."""
    tb = exc.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    if code.co_name != "echo" or "click" not in code.co_filename.replace("\\", "/"):
        return None
    stream = tb.tb_frame.f_locals.get("file")
    try:
        return stream is not None and bool(stream.fileno() == 2)
    except (AttributeError, ValueError, OSError):
        return False
