"""A process that has imported drift and the Google client libraries once, and forks a child
per run a test asks for: each run is still a process of its own (its own environment, working
directory, standard streams, exit code), without paying the imports again (about a second of
CPU each). `python -m tests.zygote SOCKET` serves on a Unix socket; a request is one
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
    "deepdiff",
    "typer._click.decorators",
)


def _warm() -> None:
    """Import what drift's commands import as they run (every module of drift's but the
    sandbox's and the programs', and the libraries they load late): a run then pays only for
    its own work. The runs' code is the same; only when it was imported differs."""
    import importlib
    import pkgutil

    import drift

    for library in LIBRARIES:
        try:
            importlib.import_module(library)
        except ModuleNotFoundError:  # typer._click: typer 0.16+ only (`make floors` runs 0.15.4)
            pass
    for module in pkgutil.walk_packages(drift.__path__, "drift."):
        if not module.name.startswith(("drift.sandbox", "drift.demo")) and not (
            module.name.endswith("__main__")
        ):
            importlib.import_module(module.name)


def _become(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become the process `python -m drift ARGS` (or `python -m MODULE
    ARGS`) would be, on the caller's streams."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    import time

    time.tzset()  # the run's own TZ, as a fresh interpreter reads it when it starts
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    code = exit_code_of(lambda: _start(request))
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _start(request: dict[str, Any]) -> None:
    module = request.get("module")
    if module:
        import runpy

        sys.argv = [module, *request["args"]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        from drift.cli import main

        sys.argv = ["drift", *request["args"]]
        main()


def exit_code_of(program: Callable[[], object]) -> int:
    """`program()` (a `main`) ended as a process ends it: its `SystemExit`'s code (a message
    instead of a code is printed on stderr, and is 1), or a crash's traceback on stderr and 1
    (the test's to see); 0 when it returns (tests/inprocess.py runs drift this way too)."""
    try:
        program()
    except SystemExit as exc:
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a crash is the test's to see, as a process's
        import traceback

        traceback.print_exc()
        return 1
    return 0


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


def serve(path: str) -> None:
    _warm()
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
    serve(sys.argv[1])
