"""Run drift as users do: its own environment, working directory, streams and exit code, with
the sandbox's emulator variables. A command that only reads (`check`, `plan`, …) runs inside
the test's process (tests/inprocess.py: `drift.cli.main` with all of that swapped in, and put
back after); any other run is a process of its own, forked from a process that imported drift
and the Google libraries once (tests/zygote.py). `DRIFT_TESTS_FORK=zygote` forks every run,
`DRIFT_TESTS_FORK=0` starts a fresh interpreter per run."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tests import inprocess
from tests.zygote import Run, stream_files, text_of
from tests.zygote_client import stand_ins

REPO = Path(__file__).resolve().parents[1]


def drift(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    stdin: str | None = None,
    timeout: float = 60,
    serves: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`python -m drift ARGS` with a clean DRIFT_* environment plus `env`. `serves=False`: a
    `drift sandbox` that ends before it serves (a bad argument, `--help`, `sandbox token`),
    which the zygote can run (no gRPC server, so none of its logging, which `drift sandbox`
    sets before importing gRPC, is at stake)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    for name in (
        "CLOUD_RUN_EMULATOR_HOST",
        "SECRET_MANAGER_EMULATOR_HOST",
        "RESOURCE_MANAGER_EMULATOR_HOST",
    ):
        base.pop(name, None)  # all three or none: only what the test gives
    base["NO_COLOR"] = "1"
    base["PYTHONPATH"] = str(REPO)
    base.update(env or {})
    # `drift sandbox` sets what gRPC logs before importing it: a process of its own
    how = os.environ.get("DRIFT_TESTS_FORK", "1")
    fork = how in ("1", "zygote") and (args[:1] != ("sandbox",) or not serves)
    if fork and how == "1" and inprocess.runs_here(args):
        return inprocess.run(args, env=base, cwd=cwd, stdin=stdin)
    return python_module("drift", *args, env=base, cwd=cwd, stdin=stdin, timeout=timeout, fork=fork)


def drift_on(
    sandbox: Any, tmp_path: Path, profile: tuple[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """`drift ARGS` as a user runs it in a project against `sandbox`: `profile` (environment,
    text) written to `tmp_path/profiles/ENV.yaml`, the journal in `tmp_path/.drift/journal`."""
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    environment, text = profile
    (folder / f"{environment}.yaml").write_text(text)
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
    }
    return drift(*args, env=env, cwd=tmp_path, timeout=120)


def check_every_format(
    sandbox: Any, tmp_path: Path, profile: tuple[str, str]
) -> dict[str, subprocess.CompletedProcess[str]]:
    """`drift check ENV --format F` (`drift_on`) in every output format, by format."""
    from drift.format import OutputFormat

    environment = profile[0]
    return {
        fmt.value: drift_on(sandbox, tmp_path, profile, "check", environment, "--format", fmt)
        for fmt in OutputFormat
    }


def python_module(
    module: str,
    *args: str,
    env: Mapping[str, str],
    cwd: Path = REPO,
    stdin: str | None = None,
    timeout: float = 60,
    fork: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` in `env`: forked from this worker's zygote, or (fork=False) a
    fresh interpreter."""
    argv = [sys.executable, "-m", module, *args]
    if not fork:
        return subprocess.run(
            argv, capture_output=True, text=True, cwd=cwd, env=env, input=stdin, timeout=timeout
        )
    request = {"args": list(args), "env": dict(env), "cwd": str(cwd)}
    if module != "drift":
        request["module"] = module
    return _forked(argv, request, stdin, timeout)


def python_code(
    code: str,
    *args: str,
    env: Mapping[str, str],
    cwd: Path = REPO,
    timeout: float = 60,
    zygote: _Zygote | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -c CODE ARGS` in `env`, its output captured: forked from this worker's zygote
    (or `zygote`: one that imported the libraries only, `_Zygote(drift_too=False)`, for CODE
    that tells which of drift's modules a command imports; tests/zygote.py `_run_command`),
    or a fresh interpreter under DRIFT_TESTS_FORK=0."""
    argv = [sys.executable, "-c", code, *args]
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        return subprocess.run(
            argv, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
        )
    request = {"code": code, "args": list(args), "env": dict(env), "cwd": str(cwd)}
    return _forked(argv, request, None, timeout, zygote or ZYGOTE)


def _forked(
    argv: list[str],
    request: dict[str, Any],
    stdin: str | None,
    timeout: float,
    zygote: _Zygote | None = None,
) -> subprocess.CompletedProcess[str]:
    """`request` run by this worker's zygote (or `zygote`), its output captured, as
    `subprocess.run` of `argv` would report it."""
    answer = (zygote or ZYGOTE).run(request, stdin, timeout)
    if answer.get("timeout"):
        raise subprocess.TimeoutExpired(argv, timeout)
    return subprocess.CompletedProcess(
        argv, answer["code"], _newlines(answer["stdout"]), _newlines(answer["stderr"])
    )


def python_module_into(
    stdout: int,
    module: str,
    *args: str,
    env: Mapping[str, str],
    cwd: Path = REPO,
    timeout: float = 60,
    fork: bool = True,
    fsize: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` in `env` writing its standard output into descriptor `stdout`
    (a pipe whose reader is gone, /dev/full), its standard error captured, standard input
    empty: forked from this worker's zygote, whose run ends as a fresh interpreter's does
    (tests/zygote.py `_finalize`), or (fork=False, DRIFT_TESTS_FORK=0) a fresh interpreter.
    `fsize`: the files it writes may grow to that many bytes (`ulimit -f`, SIGXFSZ ignored,
    as a fresh interpreter ignores it), its standard error then a pipe, which no limit cuts."""
    argv = [sys.executable, "-m", module, *args]
    if not fork or os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        if fsize is not None:
            argv = [sys.executable, "-c", _CAPPED, str(fsize), module, *args]
        return subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
            timeout=timeout,
        )
    request: dict[str, Any] = {"args": list(args), "env": dict(env), "cwd": str(cwd)}
    if module != "drift":
        request["module"] = module
    if fsize is not None:
        request["fsize"] = [fsize, fsize]
    with stream_files(None) as (inp, _, err):
        with _stderr_for(err, piped=fsize is not None) as fd:
            run = Run(ZYGOTE.socket(), request, [inp.fileno(), stdout, fd])
            try:
                code = run.wait(timeout)
            except TimeoutError:
                run.kill()
                raise subprocess.TimeoutExpired(argv, timeout) from None
            finally:
                run.close()
                ZYGOTE.cpu += run.cpu
        return subprocess.CompletedProcess(argv, code, None, _newlines(text_of(err)))


_CAPPED = """
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
os.execv(sys.executable, [sys.executable, "-m", *sys.argv[2:]])
"""
"""`python -c _CAPPED LIMIT MODULE ARGS`: `python -m MODULE ARGS` with RLIMIT_FSIZE as `ulimit
-f LIMIT` sets it and SIGXFSZ ignored, both kept through exec: set by a program of its own
before it, not by a `preexec_fn`, which forks this worker (gRPC's threads running) and runs
Python in the child before exec."""


@contextmanager
def _stderr_for(err: IO[bytes], *, piped: bool) -> Iterator[int]:
    """The descriptor a run writes its standard error to: `err`'s, or (`piped`) a pipe whose
    reader copies all of it into `err` by the time the block is left (the run has ended)."""
    if not piped:
        yield err.fileno()
        return
    read, write = os.pipe()

    def copy() -> None:
        with open(read, "rb") as source:
            err.write(source.read())

    reader = threading.Thread(target=copy, daemon=True)
    reader.start()
    try:
        yield write
    finally:
        os.close(write)  # the run's own copy closed as it ended: the reader sees the end
        reader.join()


def spawn_as_a_terminal_does(argv: list[str], env: Mapping[str, str], **popen: Any) -> Any:
    """`argv` started as a terminal starts it: Ctrl-C at its default (a child inherits an
    ignored SIGINT, as tests run in the background of a shell have it; a Python-level handler
    becomes SIG_DFL on exec), the clean DRIFT_* environment plus `env`, and the faulthandler on
    (a drift that hangs is stopped with SIGABRT, which shows where it hung)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    full = {**base, **env, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "PYTHONFAULTHANDLER": "1"}
    with ctrl_c_as_a_terminal_has_it():
        return subprocess.Popen(argv, env=full, **popen)


@contextmanager
def ctrl_c_as_a_terminal_has_it() -> Iterator[None]:
    """Processes started inside get Ctrl-C at its default, as from a terminal: a child
    inherits an ignored SIGINT (the tests run as a shell's background job: `make test &`),
    and Python then installs no KeyboardInterrupt handler, so a Ctrl-C the test sends is
    never seen."""
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _newlines(text: str) -> str:
    """As `subprocess.run(text=True)` reads a stream (universal newlines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Zygote:
    """This worker's zygote (tests/zygote.py), started at its first use: it serves every
    thread's runs side by side."""

    def __init__(self, *, drift_too: bool = True) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._drift_too = drift_too
        """False: it imported the libraries only (tests/zygote.py `_warm`)."""
        self.path = ""
        self.cpu = 0.0
        """CPU seconds of the runs this worker asked for (tests/conftest.py can report it)."""

    def socket(self) -> str:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self.path = os.path.join(tempfile.mkdtemp(prefix="drift-zygote-"), "socket")
                env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
                more = [] if self._drift_too else ["libraries"]
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "tests.zygote", self.path, *more],
                    stdout=subprocess.PIPE,
                    text=True,
                    cwd=REPO,
                    env=env,
                )
                assert self._process.stdout is not None
                assert self._process.stdout.readline().strip() == "ready"
                atexit.register(self._stop, self._process, os.path.dirname(self.path))
            return self.path

    @staticmethod
    def _stop(process: subprocess.Popen[str], folder: str) -> None:
        import shutil

        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)

    def stop(self) -> None:
        """Stopped now, not when the worker ends (started again at a later use)."""
        with self._lock:
            if self._process is not None:  # its exit handler finds it stopped already
                self._stop(self._process, os.path.dirname(self.path))
                self._process = None

    def run(self, request: dict[str, Any], stdin: str | None, timeout: float) -> dict[str, Any]:
        with stream_files(stdin) as (inp, out, err):
            run = Run(self.socket(), request, [inp.fileno(), out.fileno(), err.fileno()])
            try:
                code = run.wait(timeout)
            except TimeoutError:
                run.kill()
                return {"timeout": True}
            finally:
                run.close()
                self.cpu += run.cpu
            return {"code": code, "stdout": text_of(out), "stderr": text_of(err)}


ZYGOTE = _Zygote()


@contextmanager
def zygote_of_libraries() -> Iterator[_Zygote]:
    """A zygote of its own that imported the Google libraries but none of drift's modules
    (`python_code(..., zygote=)`): a run still tells which of them a command imports, without
    a second of the libraries' imports each. Stopped on leaving."""
    zygote = _Zygote(drift_too=False)
    try:
        yield zygote
    finally:
        zygote.stop()


_PROGRAMS: list[Path] = []


def zygote_drift() -> Path:
    """This worker's `drift` program run through its zygote (`zygote_programs`), for tests
    that start drift as a process and signal it: the stand-in passes SIGINT, SIGTERM, SIGHUP
    and SIGQUIT on to the run and exits as it did."""
    return _programs()[0]


def _programs() -> list[Path]:
    """This worker's `drift` and `python` stand-ins (`zygote_programs`), made at first use."""
    if not _PROGRAMS:
        folder = tempfile.mkdtemp(prefix="drift-programs-")
        atexit.register(shutil.rmtree, folder, True)  # the worker's own: gone when it ends
        _PROGRAMS.extend(zygote_programs(Path(folder)))
    return _PROGRAMS


def python_argv() -> list[str]:
    """How a test starts `python -c CODE ARGS` (a program that calls into drift) as a process
    of its own: this worker's `python` stand-in (the run forked from the zygote, as
    `python -c` runs CODE: tests/zygote.py `_run_command`; its descriptors and signals as
    `drift_argv`'s), or the interpreter itself under DRIFT_TESTS_FORK=0. Not for a program
    whose subject is what an interpreter does as it starts (what it has imported, a
    sitecustomize): that one starts `sys.executable`."""
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        return [sys.executable]
    return [str(_programs()[1])]


def buffered(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's) without PYTHONUNBUFFERED, as a user's shell starts
    drift: its standard output then buffered, what is left is written by the exit flush, which
    a closed pipe or a full disk makes fail ("Exception ignored", exit 120) unless drift
    silenced the stream first. PYTHONUNBUFFERED=1 (set where the tests may run) writes every
    line at once and hides that case (perf70)."""
    return {
        k: v for k, v in (os.environ if env is None else env).items() if k != "PYTHONUNBUFFERED"
    }


def drift_argv() -> list[str]:
    """How a test starts drift as a process of its own: this worker's `drift` stand-in
    (`zygote_drift`: its descriptors 0-2, closed ones included, its signals passed on), or a
    fresh interpreter under DRIFT_TESTS_FORK=0."""
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "0":
        return [sys.executable, "-m", "drift"]
    return [str(zygote_drift())]


def zygote_programs(into: Path) -> tuple[Path, Path]:
    """`drift` and `python` programs (for DRIFT_BIN, DRIFT_PYTHON, a PATH) that run through this
    worker's zygote: processes of their own, without a second of imports each."""
    into.mkdir(parents=True, exist_ok=True)
    return stand_ins(into, ZYGOTE.socket())


def package_source(into: Path) -> Path:
    """What building drift needs (pyproject.toml, README.md, drift/), copied into `into`: the
    source a `pip install` and the container image's build see."""
    import shutil

    into.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, into / name)
    shutil.copytree(REPO / "drift", into / "drift", ignore=shutil.ignore_patterns("__pycache__"))
    return into


def scenario_secret_values(path: Path) -> list[str]:
    """Every secret value a scenario file seeds (to assert none ever appears in output)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(path.read_text())
    values = []
    for project in data["projects"].values():
        for secret in (project.get("secrets") or {}).values():
            for version in secret.get("versions") or []:
                value = version.get("value") if isinstance(version, dict) else version
                if value:
                    values.append(str(value))
    return values


def read_pty(primary: int) -> bytes:
    """Everything written to a pseudo-terminal until its other end closes; closes it."""
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    return seen
