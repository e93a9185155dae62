"""Measure one size of the benchmark world from the outside: `drift check` processes spawned as a
user runs them (wall, CPU, peak memory, the calls the sandbox served), the same command with
a clock around each phase, the sequential reader, and `drift --version`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.bound import Bound, lower_bound
from benchmarks.world import ENVIRONMENT, scenario, write_profile

if TYPE_CHECKING:
    from drift.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[1]
LATENCY_MS = 50.0
RUNS = 5
SEQUENTIAL_SAMPLE = 10  # services the sequential reader reads (it is linear: extrapolated)


@dataclass(frozen=True)
class Process:
    wall: float
    cpu: float
    peak_mb: float
    exit_code: int
    ended: float
    calls: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Size:
    services: int
    cli: list[Process]
    phases: list[dict[str, float]]
    phase_cpu: list[float]
    sequential: dict[str, Any]
    bound: Bound
    started: str
    """`uptime`'s load averages when this size started."""


def drift_command() -> list[str]:
    """`drift` as a user runs it: the console script beside this interpreter."""
    script = Path(sys.executable).parent / "drift"
    return [str(script)] if script.exists() else [sys.executable, "-m", "drift"]


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """The bench's environment without DRIFT_* overrides, bytecode caches allowed, and this
    tree first on the path: every process timed runs the drift of the tree the bench is in,
    not the one the interpreter's editable install points to (a worktree sharing another
    checkout's venv) nor one a PYTHONPATH names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    path = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return {**env, "NO_COLOR": "1", "PYTHONPATH": path, **extra}


def timed(
    argv: Sequence[str], env: dict[str, str], cwd: Path, *, expect: Sequence[int] = (0, 1)
) -> Process:
    """Run a process, its output to a file: wall time, CPU and peak resident memory (wait4's
    ru_maxrss, KiB on Linux). Exit codes other than `expect` stop the bench."""
    with tempfile.TemporaryFile() as sink:
        started = time.monotonic()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(proc.pid, 0)
        ended = time.monotonic()
        code = proc.returncode = os.waitstatus_to_exitcode(status)
        if code not in expect:
            sink.seek(0)
            output = sink.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(argv)} exited {code}:\n{output}")
    cpu = usage.ru_utime + usage.ru_stime
    return Process(ended - started, cpu, usage.ru_maxrss / 1024, code, ended)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure_size(services: int, *, runs: int = RUNS, sample: int = SEQUENTIAL_SAMPLE) -> Size:
    from drift.profiles.loader import load_profile
    from drift.sandbox import Sandbox

    started = load()
    world = scenario(services)
    with (
        tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp,
        Sandbox(world, latency_ms=LATENCY_MS) as sandbox,
    ):
        where = Path(tmp)
        profiles = where / "profiles"
        profiles.mkdir()
        write_profile(world, profiles)
        bound = lower_bound(sandbox, load_profile(profiles, ENVIRONMENT))
        env = child_env(sandbox.environ())
        args = ["check", ENVIRONMENT, "--profiles", str(profiles), "--format", "json"]
        cli = [*drift_command(), *args]
        timed(cli, env, where)  # warm-up: bytecode caches written, files in the page cache
        processes: list[Process] = []
        phases: list[dict[str, float]] = []
        phase_cpu: list[float] = []
        for _ in range(runs):  # interleaved, so that a busy moment hits both alike
            processes.append(_counted(sandbox, cli, env, where))
            one, cpu = _phases(args, env, where)
            phases.append(one)
            phase_cpu.append(cpu)
        sequential = _sequential(profiles, env, where, sample)
    return Size(services, processes, phases, phase_cpu, sequential, bound, started)


def _counted(sandbox: Sandbox, argv: Sequence[str], env: dict[str, str], cwd: Path) -> Process:
    sandbox.clear_calls()
    done = timed(argv, env, cwd)
    return Process(
        done.wall, done.cpu, done.peak_mb, done.exit_code, done.ended, sandbox.call_counts()
    )


def _phases(args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[dict[str, float], float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        argv = [sys.executable, "-m", "benchmarks.workers", "phases"]
        argv += ["--result", result.name, "--spawned", str(time.monotonic()), *args]
        done = timed(argv, env, cwd)
        measured = json.loads(Path(result.name).read_text())
    spent: dict[str, float] = measured["phases"]
    spent["exit"] = done.ended - measured["ended"]
    return spent, done.cpu


def _sequential(profiles: Path, env: dict[str, str], cwd: Path, sample: int) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.workers", "sequential"]
    argv += ["--profiles", str(profiles), "--environment", ENVIRONMENT, "--sample", str(sample)]
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"sequential reader failed ({done.returncode}):\n{done.stderr}")
    parsed: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


def measure_version(runs: int = RUNS) -> list[Process]:
    """`drift --version`, as a user runs it (warm bytecode caches)."""
    env = child_env({})
    argv = [*drift_command(), "--version"]
    with tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp:
        timed(argv, env, Path(tmp))
        return [timed(argv, env, Path(tmp)) for _ in range(runs)]


def measure_silent_port(runs: int = RUNS) -> list[Process]:
    """`drift check` with the emulator variables at a port that accepts connections and never
    answers (a port forward with nothing behind it), to its message and exit 2."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    taken: list[socket.socket] = []

    def take() -> None:
        with suppress(OSError):  # the listener closed: the measuring is over
            while True:
                taken.append(listener.accept()[0])  # held open, never answered

    threading.Thread(target=take, daemon=True).start()
    address = f"127.0.0.1:{listener.getsockname()[1]}"
    names = ("CLOUD_RUN_EMULATOR_HOST", "SECRET_MANAGER_EMULATOR_HOST")
    env = child_env({**dict.fromkeys(names, address), "grpc_proxy": "", "https_proxy": ""})
    argv = [*drift_command(), "check", "staging", "--profiles", str(REPO / "profiles")]
    try:
        return [timed(argv, env, REPO, expect=(2,)) for _ in range(runs)]
    finally:
        listener.close()
        for conn in taken:
            conn.close()
