"""A process that has imported drift and the Google client libraries once, and forks a child
per run a test asks for: each run is still a process of its own (its own environment, working
directory, standard streams, exit code), without paying the imports again (about a second of
CPU each). `python -m tests.zygote SOCKET` serves on a Unix socket (`SOCKET libraries`: having
imported the libraries only); a request is one
SOCK_SEQPACKET message, JSON with the caller's standard streams passed along as descriptors
(SCM_RIGHTS), so the child writes where the caller's own output goes. Requests are served side
by side: each is forked at once into a waiter, which forks the run, sends its pid, waits, and
sends its exit status. `connect` and `run_passing` are the caller's side (tests/cliutil.py; the
`drift` and `python` stand-ins that tests/zygote_client.py writes)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

MAX_REQUEST = 1 << 20
LIBRARIES = (
    "grpc",
    "google.cloud.run_v2",
    "google.cloud.secretmanager_v1",
    "google.cloud.resourcemanager_v3",
    "google.cloud.storage",
    "rich",
    "yaml",
    "websockets",
    "re2",
    "ruamel.yaml",
    "typer._click.decorators",
)


WARNED: list[str] = []
"""What `_warm`'s imports warned, each as the interpreter printed it (on this process's
stderr): a run forked from here imports nothing and would not show it, where a fresh
`python -m drift` does (tests/test_demo.py asks a run for it)."""
WARMED = False
"""Whether `_warm` ran in this process (a run forked from the zygote: it did)."""


def _warm(drift_too: bool = True) -> None:
    """Import what drift's commands import as they run (every module of drift's but the
    sandbox's and the programs', and the libraries they load late): a run then pays only for
    its own work. The runs' code is the same; only when it was imported differs. Without
    `drift_too`, the libraries only: a run that tells which of drift's modules a command
    imports still starts with none of them (tests/check/test_repairs_only_where_shown.py).
    What the imports warn is printed as before and kept in `WARNED`."""
    import warnings

    global WARMED
    with warnings.catch_warnings(record=True) as caught:  # the filters as they are
        _import(drift_too)
    for warning in caught:
        text = warnings.formatwarning(
            warning.message, warning.category, warning.filename, warning.lineno, warning.line
        )
        WARNED.append(text)
        sys.stderr.write(text)
    WARMED = True


def _import(drift_too: bool) -> None:
    import importlib
    import pkgutil

    for library in LIBRARIES:
        try:
            importlib.import_module(library)
        except ModuleNotFoundError:  # typer._click: typer 0.16+ only (`make floors` runs 0.15.4)
            pass
    if not drift_too:
        return
    import drift

    for module in pkgutil.walk_packages(drift.__path__, "drift."):
        if not module.name.startswith(("drift.sandbox", "drift.demo")) and not (
            module.name.endswith("__main__")
        ):
            importlib.import_module(module.name)


def _become(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become the process `python -m drift ARGS` (or `python -m MODULE
    ARGS`) would be, on the caller's streams."""
    closed = request.get("closed", [])
    for target, fd in zip([t for t in (0, 1, 2) if t not in closed], fds, strict=True):
        os.dup2(fd, target)
    for target in closed:  # the caller's `>&-`: closed here too (create_stdio: None)
        os.close(target)
    # PYTHONDONTWRITEBYTECODE, read at start: a run under a small `ulimit -f` must not leave
    # a cut-short .pyc (importlib's _write_atomic does not check a short write)
    sys.dont_write_bytecode = bool(request["env"].get("PYTHONDONTWRITEBYTECODE"))
    if "fsize" in request:  # the caller's RLIMIT_FSIZE, as exec keeps it (SIGXFSZ: ignored,
        import resource  # as CPython's start-up ignores it, Python/pylifecycle.c init_signals)

        resource.setrlimit(resource.RLIMIT_FSIZE, tuple(request["fsize"]))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    import time

    time.tzset()  # the run's own TZ, as a fresh interpreter reads it when it starts
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # the signals as a fresh interpreter has them: those ignored where it was started stay
    # ignored (exec keeps SIG_IGN; Python/pylifecycle.c init_signals and the signal module
    # install the KeyboardInterrupt handler only for a SIGINT not ignored), the rest default
    ignored = set(request.get("ignored", ()))
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGABRT):
        signal.signal(number, signal.SIG_IGN if number in ignored else signal.SIG_DFL)
    interrupt = signal.SIG_IGN if signal.SIGINT in ignored else signal.default_int_handler
    signal.signal(signal.SIGINT, interrupt)
    buffered = not request["env"].get("PYTHONUNBUFFERED")
    try:
        encoding, errors = _io_encoding(request["env"].get("PYTHONIOENCODING", ""))
    except LookupError as exc:  # as start-up fails on it (Python/initconfig.c), exit 1
        if 2 not in closed:
            os.write(2, _FATAL_ENCODING.format(exc).encode())
        os._exit(1)
    sys.stdin = None if 0 in closed else _stdio(0, "r", encoding, errors, buffered=True)
    sys.stdout = None if 1 in closed else _stdio(1, "w", encoding, errors, buffered=buffered)
    sys.stderr = (
        None if 2 in closed else _stdio(2, "w", encoding, "backslashreplace", buffered=buffered)
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    if request["env"].get("PYTHONFAULTHANDLER") and sys.stderr is not None:
        import faulthandler  # as start-up enables it (Python/pylifecycle.c init_interp_main):

        faulthandler.enable()  # a hung run aborted (SIGABRT) prints its threads' stacks
    code, interrupted = outcome_of(lambda: _start(request))
    try:
        code = _finalize(code)
        if interrupted:
            code = _exit_sigint()
    finally:
        os._exit(code)


def _exit_sigint() -> int:
    """An uncaught KeyboardInterrupt ends the process as CPython's does, after the finalisation
    (Modules/main.c `Py_RunMain`: `if (_PyRuntime.signals.unhandled_keyboard_interrupt)
    exitcode = exit_sigint();`, `exit_sigint`: SIGINT back to SIG_DFL and `kill(getpid(),
    SIGINT)`, bpo-1054041, so that a shell sees the user's ^C): killed by SIGINT, -2 to
    subprocess, 130 from a shell; 130 (SIGINT + 128) only if that kill did not end it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    os.kill(os.getpid(), signal.SIGINT)
    return 128 + signal.SIGINT


_FATAL_ENCODING = (
    "Fatal Python error: init_stdio_encoding: failed to get the Python codec name of the stdio "
    "encoding\nPython runtime state: core initialized\nLookupError: {}\n"
)


def _io_encoding(setting: str) -> tuple[str, str]:
    """The standard streams' encoding and errors under PYTHONIOENCODING=`setting`
    (`ENCODING[:ERRORS]`, CPython 3.11 Python/initconfig.c `config_init_stdio_encoding`: an
    encoding without errors is "strict"; an empty part is the default; the name as the codec
    registry spells it, `config_get_codec_name`: latin-1 is iso8859-1). The defaults are UTF-8
    and "strict" (the tests' locale; a test of another locale starts a fresh interpreter)."""
    import codecs

    encoding, _, errors = setting.partition(":")
    if encoding and not errors:
        errors = "strict"
    return (codecs.lookup(encoding).name if encoding else "utf-8"), errors or "strict"


def _stdio(fd: int, mode: str, encoding: str, errors: str, *, buffered: bool) -> IO[str]:
    """Standard stream `fd` as a fresh interpreter makes it (CPython Python/pylifecycle.c
    `create_stdio`): binary unbuffered for writing under PYTHONUNBUFFERED (then write-through),
    line-buffered for a terminal and for standard error, standard error's errors
    `backslashreplace`, the encoding and the other streams' errors `_io_encoding`'s."""
    import io

    # create_stdio: io.open(fd, "wb"/"rb", buffering 0 or -1 (the descriptor's st_blksize,
    # as a fresh interpreter's buffer is), closefd False), the raw file named "<stdout>"
    unbuffered = not buffered and mode == "w"
    binary: Any = open(fd, mode + "b", 0 if unbuffered else -1, closefd=False)  # noqa: SIM115
    raw = binary if unbuffered else binary.raw
    raw.name = ("<stdin>", "<stdout>", "<stderr>")[fd]
    stream = io.TextIOWrapper(
        binary,
        encoding=encoding,
        errors=errors,
        newline="\n",
        line_buffering=buffered and (raw.isatty() or fd == 2),
        write_through=not buffered,
    )
    stream.mode = mode  # type: ignore[misc]  # as create_stdio sets it
    return stream


def _finalize(code: int) -> int:
    """The end of a fresh interpreter after its program returned or exited with `code` (CPython
    3.11 Python/pylifecycle.c `Py_FinalizeEx`): wait for the non-daemon threads
    (`wait_for_thread_shutdown`: threading._shutdown), run the exit handlers (`_PyAtExit_Call`:
    logging's flush among them), then `flush_std_files`: a standard output whose flush fails is
    `PyErr_WriteUnraisable(fout)` ("Exception ignored in: <stdout>" and the exception, on
    stderr), a failing stderr is cleared; either makes Py_FinalizeEx return -1, and Modules/
    main.c `Py_RunMain` then exits 120 ("Value unlikely to be confused with a non-error exit
    status"). The tests of a closed pipe or a full disk see exactly what a fresh drift does."""
    import atexit
    import threading

    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    failed = False
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:
            continue
        try:
            stream.flush()
        except Exception as exc:  # noqa: BLE001 - as CPython: reported, then 120
            failed = True
            if stream is sys.stdout:
                _unraisable(exc, stream)
    return 120 if failed else code


def _unraisable(exc: BaseException, obj: object) -> None:
    """What CPython's default `sys.unraisablehook` writes for `PyErr_WriteUnraisable(obj)`
    (Python/errors.c `write_unraisable_exc_file`: "Exception ignored in: " and the object's
    repr, the exception's type and message; a flush in C has no Python traceback), on the
    standard error; nothing if that fails too."""
    name = type(exc).__qualname__
    module = type(exc).__module__
    kind = name if module in ("builtins", "__main__") else f"{module}.{name}"
    try:
        sys.stderr.write(f"Exception ignored in: {obj!r}\n{kind}: {exc}\n")
        sys.stderr.flush()
    except Exception:  # noqa: BLE001, S110 - as CPython: an error reporting it is dropped
        pass


def _start(request: dict[str, Any]) -> None:
    module = request.get("module")
    if "code" in request:  # `python -c CODE ARGS` (Modules/main.c pymain_run_command)
        _run_command(request["code"], request["args"])
    elif module:
        import runpy

        sys.argv = [module, *request["args"]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        from drift.cli import main

        sys.argv = ["drift", *request["args"]]
        main()


def _run_command(code: str, args: list[str]) -> None:
    """`python -c CODE ARGS` as CPython runs it: `sys.argv` `['-c', *ARGS]`, `sys.path[0]` the
    empty string (the working directory, Python/initconfig.c / sysmodule.c: `-c` puts "" first
    where `-m` puts the directory it started in), CODE compiled as `<string>` and run in a
    module `__main__` of its own (PyRun_SimpleStringFlags: `__main__`'s dict)."""
    import types

    sys.argv = ["-c", *args]
    sys.path[0] = ""
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    exec(compile(code, "<string>", "exec"), main.__dict__)  # noqa: S102 - the caller's program


def outcome_of(program: Callable[[], object]) -> tuple[int, bool]:
    """`program()` (a `main`) ended as CPython's `python -m` ends it (Modules/main.c
    `pymain_run_module`, `pymain_exit_err_print`): its `SystemExit`'s code (`_Py_HandleSystemExit`:
    a message instead of a code is printed on stderr, if there is one, and is 1), or a crash's
    traceback (`PyErr_Print`: `sys.excepthook`, which prints nothing when `sys.stderr` is None)
    and 1; 0 when it returns. The flag: the crash was an uncaught KeyboardInterrupt
    (`PyErr_Occurred() == PyExc_KeyboardInterrupt`, that class itself), which then ends the
    process by SIGINT once finalised (`_exit_sigint`)."""
    try:
        program()
    except SystemExit as exc:
        if not isinstance(exc.code, int | None) and sys.stderr is not None:
            print(exc.code, file=sys.stderr)
        return (exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)), False
    except BaseException as exc:  # noqa: BLE001 - a crash is the test's to see, as a process's
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return 1, type(exc) is KeyboardInterrupt
    return 0, False


def exit_code_of(program: Callable[[], object]) -> int:
    """`program()`'s exit code as subprocess reports a process's (`outcome_of`; an uncaught
    KeyboardInterrupt: -SIGINT, the process killed by it); tests/inprocess.py runs drift this
    way."""
    code, interrupted = outcome_of(program)
    return -signal.SIGINT if interrupted else code


@contextmanager
def stream_files(stdin: str | None) -> Iterator[tuple[IO[bytes], IO[bytes], IO[bytes]]]:
    """A run's standard input (holding `stdin`), output and error, as files (a process's
    streams as a test captures them); `text_of` reads one back."""
    with (
        tempfile.TemporaryFile() as inp,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        inp.write((stdin or "").encode())
        inp.flush()
        inp.seek(0)
        yield inp, out, err


def text_of(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode("utf-8", "replace")


def _wait(conn: socket.socket) -> None:
    """In the waiter: fork the run, tell the caller its pid, then its exit status."""
    data, fds, _, _ = socket.recv_fds(conn, MAX_REQUEST, 3)
    request = json.loads(data)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        conn.close()
        _become(request, fds)
    for fd in fds:
        os.close(fd)
    conn.sendall(f"{pid}\n".encode())
    _, status, usage = os.wait4(pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    conn.sendall(f"{os.waitstatus_to_exitcode(status)} {cpu:.3f}\n".encode())


def serve(path: str, drift_too: bool = True) -> None:
    _warm(drift_too)
    import gc

    gc.collect()
    gc.freeze()  # what every run inherits is never scanned (tests/conftest.py says why)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # waiters are reaped by the kernel
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server.bind(path)
    server.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            server.close()
            try:
                _wait(conn)
            finally:
                os._exit(0)
        conn.close()


class Run:
    """One run asked of a zygote: its pid once forked, its exit code once done (negative: the
    signal that ended it, as subprocess reports it)."""

    def __init__(self, path: str, request: dict[str, Any], fds: list[int]) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.connect(path)
        socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
        self.pid = int(self._line())
        self.cpu = 0.0
        """The run's CPU seconds, once it is done (what a suite's time is made of)."""

    def _line(self) -> str:
        data = self.sock.recv(64)
        if not data:
            raise RuntimeError("the zygote's waiter ended without an answer")
        return data.decode().strip()

    def wait(self, timeout: float | None = None) -> int:
        """The exit code; TimeoutError (the run is left running) if it takes longer."""
        self.sock.settimeout(timeout)
        try:
            code, cpu = self._line().split()
        finally:
            self.sock.settimeout(None)
        self.cpu = float(cpu)
        return int(code)

    def kill(self) -> int:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.wait()

    def close(self) -> None:
        self.sock.close()


if __name__ == "__main__":
    # `python -m tests.zygote`: this module is `__main__`; a run that imports `tests.zygote`
    # gets it (its `WARNED`), not a copy that never warmed
    sys.modules.setdefault("tests.zygote", sys.modules[__name__])
    serve(sys.argv[1], drift_too=sys.argv[2:] != ["libraries"])
