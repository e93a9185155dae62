"""Run drift as users do: a process of its own (its environment, working directory, streams and
exit code), with the sandbox's emulator variables. Each run is forked from a process that
imported drift and the Google libraries once (tests/zygote.py; `DRIFT_TESTS_FORK=0` starts a
fresh interpreter per run instead), which halves the suite's time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def drift(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    stdin: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`python -m drift ARGS` with a clean DRIFT_* environment plus `env`."""
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
    argv = [sys.executable, "-m", "drift", *args]
    # `drift sandbox` sets what gRPC logs before importing it: a process of its own
    if os.environ.get("DRIFT_TESTS_FORK", "1") == "1" and args[:1] != ("sandbox",):
        request = {"args": list(args), "env": base, "cwd": str(cwd), "stdin": stdin}
        answer = _ZYGOTES.run({**request, "timeout": timeout})
        if answer.get("timeout"):
            raise subprocess.TimeoutExpired(argv, timeout)
        return subprocess.CompletedProcess(
            argv, answer["code"], _newlines(answer["stdout"]), _newlines(answer["stderr"])
        )
    return subprocess.run(
        argv, capture_output=True, text=True, cwd=cwd, env=base, input=stdin, timeout=timeout
    )


def spawn_as_a_terminal_does(argv: list[str], env: Mapping[str, str], **popen: Any) -> Any:
    """`argv` started as a terminal starts it: Ctrl-C at its default (a child inherits an
    ignored SIGINT, as tests run in the background of a shell have it; a Python-level handler
    becomes SIG_DFL on exec), the clean DRIFT_* environment plus `env`, and the faulthandler on
    (a drift that hangs is stopped with SIGABRT, which shows where it hung)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    full = {**base, **env, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "PYTHONFAULTHANDLER": "1"}
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(argv, env=full, **popen)
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _newlines(text: str) -> str:
    """As `subprocess.run(text=True)` reads a stream (universal newlines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Zygotes:
    """Processes that imported drift once (tests/zygote.py), each forking a child per run;
    one per test thread at a time (some tests run drift from several threads)."""

    def __init__(self) -> None:
        self._idle: list[subprocess.Popen[str]] = []
        self._lock = threading.Lock()

    def run(self, request: dict[str, object]) -> dict[str, Any]:
        with self._lock:
            zygote = self._idle.pop() if self._idle else None
        if zygote is None or zygote.poll() is not None:
            zygote = self._start()
        assert zygote.stdin is not None and zygote.stdout is not None
        zygote.stdin.write(json.dumps(request) + "\n")
        zygote.stdin.flush()
        answer: dict[str, Any] = json.loads(zygote.stdout.readline())
        with self._lock:
            self._idle.append(zygote)
        return answer

    @staticmethod
    def _start() -> subprocess.Popen[str]:
        env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
        zygote = subprocess.Popen(
            [sys.executable, "-m", "tests.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=env,
        )
        assert zygote.stdout is not None and zygote.stdout.readline().strip() == "ready"
        return zygote


_ZYGOTES = _Zygotes()


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

    data = YAML(typ="safe").load(path.read_text())
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
