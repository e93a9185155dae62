"""The command line: parse options, build objects, call one library function, render, exit.

Nothing here imports the Google libraries at module level: `drift --help` and
`drift --version` stay fast and work without them."""

from __future__ import annotations

import gc
import sys

TYPE_CHECKING = False  # not `typing`'s: it would import `re`, `collections` and more
if TYPE_CHECKING:
    from typing import NoReturn

    from typer import Typer

TYPER_INTERRUPTED = 130
"""The exit code typer gives a Ctrl-C it caught (silently)."""
INCOMPLETE = 3
"""`drift.errors.ExitCode.INCOMPLETE`, known before anything else is imported: the console
script imports this module, and a Ctrl-C before `main` runs is Python's own traceback, so it
imports nothing but `gc` and `sys` (builtin). Everything else is imported inside `main`,
where a Ctrl-C is one line."""
USAGE = 2
"""`drift.errors.ExitCode.USAGE`: what a standard output that cannot be written exits with."""
EPIPE = 32
"""errno.EPIPE (32 on Linux, macOS and Windows alike), known without importing `errno`."""


def _no_stderr() -> None:
    """Messages go nowhere, the exit code still says it all: /dev/null takes descriptor 2
    (else the next file drift opens — the report — would get it, and anything written to
    standard error, a library's log included, would land in that file)."""
    import os

    null = os.open(os.devnull, os.O_WRONLY)
    if null != 2:
        os.dup2(null, 2)
        os.close(null)
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - standard error, for the process


def main() -> NoReturn:
    """Console entry point: one clear message and an exit code for every error. A Ctrl-C (or
    SIGTERM, SIGHUP) that lands where no handling of `_main`'s sees it (as one of its `except`
    clauses begins, before that clause's first call) is still one line, never a traceback."""
    try:
        _main()
    except KeyboardInterrupt:
        while True:  # a second one before `_interrupted` has the handlers for the end in place
            try:
                _interrupted()
            except KeyboardInterrupt:
                continue


def _main() -> NoReturn:
    if sys.stderr is None:  # started with standard error closed (`2>&-`)
        _no_stderr()
    if sys.argv[1:] == ["--version"]:  # what scripts ask most: answered before typer loads
        from drift import __version__

        try:
            if sys.stdout is None:  # started with standard output closed (`>&-`)
                _output_lost(None)
            sys.stdout.write(f"drift {__version__}\n")
            sys.stdout.flush()
        except OSError as exc:  # a full disk, a closed pipe
            _output_lost(exc)
        sys.exit(0)
    try:
        from drift.cli.signals import whole_command

        whole_command()  # SIGTERM, SIGHUP: Ctrl-C from here on
        from drift import interrupts
        from drift.cli.signals import named
        from drift.errors import Aborted, DriftError, ExitCode, InputError, Interrupted

        _any_locale()
        own_process()
        from drift.cli import output
        from drift.cli.root import narrowed
        from drift.cli.session import STATE

        app = narrowed(sys.argv[1:], __import__("os").environ)  # `os`: loaded at start-up
    except KeyboardInterrupt:
        _interrupted()
    try:
        sys.exit(_run(app))
    except KeyboardInterrupt:  # while typer builds the command line
        _interrupted()
    except SystemExit as exc:
        if exc.code == TYPER_INTERRUPTED:  # typer caught it, while parsing or in a command
            _interrupted()
        if exc.code == 1 and _pipe_closed():  # click's exit for a closed pipe: never "drift"
            _output_lost(OSError(EPIPE, "Broken pipe"))
        if not exc.code and sys.stdout is None and "--help" in sys.argv:
            _output_lost(None)  # `drift check --help >&-`: click wrote its help into nothing
        raise
    except DriftError as exc:
        if not isinstance(exc, Interrupted) and _swallowed():
            _interrupted()  # the Ctrl-C came first; its delivery again had not landed yet
        _ending()  # what it ends with is decided: a signal while it is said changes nothing
        if isinstance(exc, Interrupted):  # by SIGTERM or SIGHUP where no step named it
            exc = named(exc, interrupts.interrupt_name())
        if isinstance(exc, Aborted) and STATE.declined:
            output.say(exc.diagnostics())  # the person said no: an answer, not an error
        else:
            details = _causes(exc) if STATE.verbose else ()
            output.error(exc.diagnostics(), details=details, annotated=isinstance(exc, InputError))
        if STATE.annotate and isinstance(exc, InputError):
            output.annotate(exc.problems)
        sys.exit(int(exc.exit_code))
    except Exception as exc:  # a bug: still one line (scrubbed), the traceback on request
        _ending()
        # a library turned the signal's KeyboardInterrupt into its own error (pydantic: a
        # SchemaError), or one swallowed had not been delivered again yet
        if interrupts.interrupt_name() != "Ctrl-C" or _swallowed():
            _interrupted()
        if isinstance(exc, OSError) and (err := _echo_failed(exc)) is not None:
            _output_lost(exc, err=err)  # click's own output (help, usage) could not be written
        if isinstance(exc, OSError) and exc.errno == __import__("errno").ENAMETOOLONG:
            _too_long(exc)  # wherever a name given was met
        if STATE.verbose:
            _traceback()
        output.error(
            f"internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(run with --verbose for the traceback)"
        )
        sys.exit(int(ExitCode.USAGE))
    finally:
        try:  # what the command ends with is decided: a signal no longer changes it
            _ending()
        except KeyboardInterrupt:  # one that came just before the call: as `_ending` takes it
            _ending()
        # The process ends: collecting its garbage first is wasted time (up to a second with
        # a 1,000-service profile); exit handlers, flushes and closes still run.
        gc.freeze()
        _exit_code_stands()
    sys.exit(0)


def _run(app: Typer) -> int:
    """Run the command; its exit code. Not click's standalone mode, which prints a usage
    error (a mistyped option value, an unknown option) as click's usage text: that error goes
    through drift's one error path (`main`'s DriftError), as any other (`usage_error`).
    What standalone mode does with the rest, done here alike."""
    from typer import Abort
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    from drift.cli.root import command_of
    from drift.cli.usage import usage_error

    try:
        code = command_of(app)(prog_name="drift", standalone_mode=False)
    except NoArgsIsHelpError as exc:  # `drift` alone: its help, exit 2
        exc.show()
        return exc.exit_code
    except UsageError as exc:
        raise usage_error(exc, sys.argv[1:], app) from None
    except ClickException as exc:
        exc.show()
        return exc.exit_code
    except Abort:
        sys.stderr.write("Aborted!\n")
        return 1
    # an exit code (`typer.Exit`, `--help`, a Ctrl-C typer caught: 130), or what the command
    # returned (nothing: 0)
    return code if isinstance(code, int) else 0


def _output_lost(exc: OSError | None, *, err: bool = False) -> NoReturn:
    """Standard output could not be written, where drift's own writes (`drift.cli.output`)
    do not see it: `--version`, and click's help and usage text. One line (on stderr, if it
    works) and exit 2 (nothing was checked): never 0 or 1, which would read as a report."""
    from drift.cli.streams import lost_message, say_on_stderr, silence

    silence(sys.stderr if err else sys.stdout)
    say_on_stderr(lost_message(exc, err=err))
    _exit_code_stands()
    sys.exit(USAGE)


def _pipe_closed() -> bool:
    """Whether click met a closed pipe (EPIPE) and exited 1: it wraps the streams in a
    `PacifyFlushWrapper` then (click's own, or the copy typer carries)."""
    return type(sys.stdout).__name__ == "PacifyFlushWrapper"


def _echo_failed(exc: OSError) -> bool | None:
    from drift.cli.streams import echo_failed

    return echo_failed(exc)


def _interrupted() -> NoReturn:
    """Ctrl-C (or SIGTERM, SIGHUP: `drift.cli.signals.whole_command`) where no command's own
    handling saw it (while starting, parsing options, or between its steps): one line naming
    it, and the code of an incomplete run, never a clean one."""
    _ending()
    interrupts = sys.modules.get("drift.interrupts")  # not imported: no signal was named
    name = interrupts.interrupt_name() if interrupts is not None else "Ctrl-C"
    said = "" if name == "Ctrl-C" else f"{name} received: "
    sys.stderr.write(f"drift: error: interrupted: {said}the command did not finish\n")
    _exit_code_stands()
    sys.exit(INCOMPLETE)


def _swallowed() -> bool:
    """Whether a Ctrl-C was swallowed in a `__del__` during this command
    (`drift.cli.signals.SWALLOWED`), whether or not its delivery again has landed."""
    signals = sys.modules.get("drift.cli.signals")
    return bool(signals is not None and signals.SWALLOWED)


def _ending() -> None:
    """`drift.cli.signals.ending`, once that module is loaded (a Ctrl-C can come before). A
    signal that lands before its handlers are in place is one that came after the outcome was
    decided, as those handlers take it: ignored."""
    while True:
        try:
            signals = sys.modules.get("drift.cli.signals")
            if signals is not None:
                signals.ending()
            return
        except KeyboardInterrupt:
            continue


def _exit_code_stands() -> None:
    """Make the exit code drift chose the one the process ends with. CPython 3.11 remembers a
    KeyboardInterrupt that escaped an `exec()` of a string (Python/pythonrun.c,
    `run_eval_code_obj` sets `_Py_UnhandledKeyboardInterrupt`), even when a caller handled it;
    `dataclasses` and `collections.namedtuple` build methods that way, so a Ctrl-C while a
    module is imported leaves it set, and `Py_RunMain` then ends the process by SIGINT (status
    -2) after drift said "interrupted" and chose exit 3. Every such `exec()` clears that flag
    first: an empty one clears it."""
    exec("")  # noqa: S102 - an empty program: it runs nothing


def _any_locale() -> None:
    """A terminal or pipe whose locale cannot encode a character drift writes (`—`, a
    non-ASCII value: `LANG=en_US.ISO-8859-1`) gets it as a `\\u2014` escape, not a crash
    that loses the report. Files are written as UTF-8 whatever the locale (`drift.files`),
    and so is a machine format on a pipe or redirect (`drift.cli.streams.document`)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if stream is not None and encoding not in ("utf-8", "utf8"):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")


def own_process() -> None:
    """This process runs one command, then ends: tune the garbage collector for that. A
    command allocates hundreds of thousands of small objects and few cycles, so collect less
    often than after every 700 (the default): a third of a second on 1,000 services; what is
    loaded to stay (the profile) is frozen out of collections (`Invocation.profile`), and so
    is everything at exit. gRPC core's own log lines on stderr are not drift's one message
    (helper-810 F4: `I… chttp2_transport.cc:1403] … Got goaway` before drift said that no
    emulator answers, when the sandbox stopped during a check): only its errors, unless the
    user set GRPC_VERBOSITY ("used to set the minimum level of log messages printed by
    gRPC", grpc/TROUBLESHOOTING.md; read when gRPC core starts: nothing has imported it yet)."""
    import os

    from drift.cli.session import STATE

    gc.set_threshold(20_000, 10, 10)
    STATE.owns_process = True
    STATE.grpc_quieted = "GRPC_VERBOSITY" not in os.environ
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")


def _too_long(exc: OSError) -> None:
    """A name given (a directory, a file) longer than the file system takes (helper-606: an
    "internal error"): one line naming it, exit 2, as any bad input."""
    from drift.cli import output
    from drift.errors import ExitCode
    from drift.textsafe import visible

    name = str(exc.filename or "")
    shown = visible(name if len(name) <= 80 else f"{name[:40]}…{name[-20:]}")
    output.error(
        f"a file name is too long for the file system: {shown} ({len(name)} characters)\n"
        "  hint: name a shorter path (a name is at most 255 bytes on most file systems)"
    )
    sys.exit(int(ExitCode.USAGE))


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, masked first (a secret holding a line break is
    still found): a bug's error is one line, however its message quotes a value."""
    from drift.redact import mask
    from drift.textsafe import visible

    return visible(mask(str(exc), echo=True))


def _causes(exc: BaseException) -> tuple[str, ...]:
    """The chain of causes under an error, one line each (`--verbose`)."""
    lines: list[str] = []
    cause = exc.__cause__
    while cause is not None and len(lines) < 10:
        text = " ".join(str(cause).split())[:500]
        lines.append(f"caused by {type(cause).__module__}.{type(cause).__name__}: {text}")
        cause = cause.__cause__
    return tuple(lines)


def _traceback() -> None:
    """The scrubbed traceback with its cause chain (`--verbose`), shown as an error line is
    (`readable`): the messages it quotes may hold a value's escape sequence or a line a CI
    runner would run as a workflow command."""
    import traceback

    from drift.cli.output import readable

    sys.stderr.write(readable(traceback.format_exc()))
