"""Standard output or error that cannot be written: a reader that closed the pipe (`drift check
| head`), a full disk (`> /dev/full`), a terminal gone. One message says so (on stderr, if it
still works), and from then on the stream goes to /dev/null: what drift would still print
(a cleanup's progress) and Python's own flush at exit (which would print a second, raw error
and end the process with 120) write nowhere instead of failing again.

Imports nothing but `os` and `sys` (`drift.errors` only when a document cannot be written):
`drift --version` uses it before anything else loads."""

from __future__ import annotations

import os
import sys
from typing import TextIO


def lost_message(
    exc: OSError | None, *, err: bool = False, written: int = 0, whole: int = 0
) -> str:
    """`cannot write the output to standard output: Broken pipe` (exc None: the stream was
    closed when drift started, `>&-`); with the bytes `written` of the `whole` document when
    some were: what the file or reader holds is cut short."""
    stream = "standard error" if err else "standard output"
    why = "it is closed" if exc is None else (exc.strerror or str(exc) or type(exc).__name__)
    cut = f" ({written} of {whole} bytes written: what is there is cut short)" if written else ""
    return f"cannot write the output to {stream}: {why}{cut}"


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


MACHINE_FORMATS = frozenset({"json", "sarif", "gcloud", "yaml"})
"""The `--format`s a program reads: never written lossily, always as UTF-8 (`document`)."""


def document(text: str) -> bytes:
    """A document in one of `MACHINE_FORMATS` as standard output gets it when redirected or
    piped (`whole`): UTF-8 bytes, whatever the locale's encoding (Windows cp1252,
    `LANG=…ISO-8859-1`), and as it is (no escape sequence taken out, as `echo` does off a
    terminal). Never in the locale's encoding: its `backslashreplace` (`drift.cli._any_locale`)
    put `\\u2192` in a gcloud script, which bash passes on as it is, setting a value drift did
    not plan, and a latin-1 `é` is not UTF-8 YAML (YAML 1.2 §5.2) nor JSON (RFC 8259 §8.1:
    JSON exchanged between systems MUST be UTF-8; SARIF is JSON). So `> fix.sh` holds the
    same bytes as `--output fix.sh`, and the same data never gets a document refused on one
    run and written on the next (revencoding 2). A terminal still gets the locale's text,
    escapes visible."""
    return (text if text.endswith("\n") else text + "\n").encode("utf-8", "surrogateescape")


def descriptor() -> int | None:
    """Standard output's descriptor, for `whole`; None when it has none (a test's capture,
    which `echo` writes to)."""
    try:
        return int(sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):
        return None


def whole(fd: int, data: bytes) -> None:
    """Write `data` to standard output (its descriptor `fd`), every byte of it, or raise
    OutputLost naming how much was written. Not through the stream's buffer: when the disk fills
    partway, or the file reaches `ulimit -f` (RLIMIT_FSIZE), CPython's buffered writer takes
    the one short write(2) the kernel answers and drops the rest without a word (helper-810
    F2: a cut YAML that `gcloud run services replace` took, a cut script `bash -n` passed,
    exit 0); write(2) may write less than asked (POSIX), so the rest is written again until
    it is all there or the kernel says why not (ENOSPC, EFBIG, EPIPE)."""
    stream = sys.stdout
    view, written = memoryview(data), 0
    try:
        stream.flush()  # what was printed before, first
        while written < len(data):
            try:
                count = os.write(fd, view[written:])
            except BlockingIOError:  # a descriptor left non-blocking: wait until it takes more
                import select

                select.select([], [fd], [])
                continue
            if count == 0:  # nothing taken, no reason given: it would never end
                raise OSError(0, "no byte more was taken")
            written += count
    except OSError as exc:
        from drift.errors import OutputLost

        silence(stream)
        raise OutputLost(lost_message(exc, written=written, whole=len(data))) from exc
