"""`drift sandbox` in the foreground: prints the export lines, serves drift from another
process, stops cleanly on Ctrl-C and leaves nothing listening; a bad host, port or log file
is one line and exit 2; `--log` records every call; `drift sandbox token` mints a token the
backends accept."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drift.sandbox import Sandbox, default_scenario_path, mint_test_jwt
from tests.cliutil import REPO, drift, scenario_secret_values


@dataclass
class Foreground:
    """A `drift sandbox` process: the emulator export lines it printed, the test tokens it
    exported, and (once stopped) its exit code and stderr."""

    exports: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    returncode: int | None = None
    errors: str = ""
    pid: int = 0


@contextmanager
def foreground(*args: str) -> Iterator[Foreground]:
    """`drift sandbox ARGS` in another process, until it says it is running (every export
    line printed); Ctrl-C (SIGINT) when the block ends."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = Foreground()
    with subprocess.Popen(
        [sys.executable, "-m", "drift", "sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
        start_new_session=True,  # its own process group: what is left of it can be asked
    ) as proc:
        run.pid = proc.pid
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                for name, value in re.findall(r"^export (\w+)=(\S+)$", line):
                    exported = run.exports if name.endswith("_EMULATOR_HOST") else run.tokens
                    exported[name] = value
                if line.startswith("# drift sandbox is running"):
                    break
            yield run
        finally:
            proc.send_signal(signal.SIGINT)
            _, run.errors = proc.communicate(timeout=20)
            run.returncode = proc.returncode


class Served:
    """One plain `drift sandbox` for the tests that use it while it serves and the test that
    stops it: the same command started the same way, so they share one process (the two that
    only read it first, in file order; a test that finds it stopped starts another)."""

    def __init__(self) -> None:
        self.stack = ExitStack()
        self.run: Foreground | None = None

    def running(self) -> Foreground:
        if self.run is None or self.run.returncode is not None:
            self.run = self.stack.enter_context(foreground())
        return self.run

    def stop(self) -> Foreground:
        """Ctrl-C (the end of `foreground`'s block); the run with its exit code and stderr."""
        run = self.running()
        self.stack.close()
        return run


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    shared = Served()
    with shared.stack:
        yield shared


def test_the_foreground_sandbox_exports_a_test_token_the_backends_accept(served: Served) -> None:
    run = served.running()
    assert set(run.tokens) == {"ACME_TEST_JWT"}
    env = {**run.exports, **run.tokens}
    good = drift("probe", "staging", "--service", "api", env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    # (its exit 0 on Ctrl-C: the next test stops this same process and asserts it)


def test_sandbox_command_serves_and_stops_on_ctrl_c(served: Served) -> None:
    run = served.running()
    assert set(run.exports) == {
        "CLOUD_RUN_EMULATOR_HOST",
        "SECRET_MANAGER_EMULATOR_HOST",
        "RESOURCE_MANAGER_EMULATOR_HOST",
    }
    done = drift("check", "staging", env=run.exports)
    assert done.returncode == 1 and "env.forbidden" in done.stdout
    served.stop()
    assert run.returncode == 0
    assert "Traceback" not in run.errors
    # nothing of it is left (no backend process still serving): its process group is gone —
    # not "its port refuses", which another test's process may have bound since (revflaky F2)
    with pytest.raises(ProcessLookupError):
        os.killpg(run.pid, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--host", "0.0.0.0"],
            "--host 0.0.0.0 is not a loopback address; the sandbox listens on loopback only "
            "(127.0.0.1, ::1 or localhost), never where other machines reach it",
        ),
        (
            ["--host", "999.1.1.1"],
            "--host '999.1.1.1' is not an IP address; the sandbox listens on loopback only "
            "(127.0.0.1, ::1 or localhost)",
        ),
        (["--port", "70000"], "--port 70000 is not a port number (0-65535; 0: any free port)"),
        (["--log", "/nonexistent/dir/calls.jsonl"], "--log /nonexistent/dir/calls.jsonl: "),
    ],
    ids=["any-address", "not-an-address", "port-out-of-range", "log-unwritable"],
)
def test_bad_host_port_or_log_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = drift("sandbox", *args, timeout=60, serves=False)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"drift: error: {message}")


def test_a_taken_port_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = drift("sandbox", "--port", str(port), timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"drift: error: cannot listen on 127.0.0.1:{port}: the port is taken\n"


def test_help_names_the_variables_and_the_docs() -> None:
    text = " ".join(drift("sandbox", "--help", serves=False).stdout.split())
    for name in (
        "CLOUD_RUN_EMULATOR_HOST",
        "SECRET_MANAGER_EMULATOR_HOST",
        "RESOURCE_MANAGER_EMULATOR_HOST",
        "docs/sandbox.md",
        "--log",
        "drift sandbox token",
    ):
        assert name in text, name
    assert (REPO / "docs" / "sandbox.md").is_file()


def test_log_records_every_call_served(tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    with foreground("--log", str(log)) as run:
        assert drift("check", "staging", env=run.exports).returncode == 1
    records = [json.loads(line) for line in log.read_text().splitlines()]
    methods = {r["method"].rsplit("/", 1)[-1] for r in records}
    assert {"ListServices", "GetSecretVersion", "GetIamPolicy"} <= methods
    assert all(set(r) == {"time", "method", "resource", "status"} for r in records)
    text = log.read_text()
    assert not [v for v in scenario_secret_values(default_scenario_path()) if v in text]


def test_token_is_accepted_by_the_backends(sandbox: Sandbox) -> None:
    """`drift sandbox token` prints the export line; the sandbox's api backend accepts the
    token (the probe passes), and refuses one signed with another key (close 1008)."""
    done = drift("sandbox", "token", timeout=60, serves=False)
    assert done.returncode == 0, done.stderr
    (name, token), *rest = re.findall(r"^export (\w+)=(\S+)$", done.stdout, flags=re.M)
    assert name == "ACME_TEST_JWT" and not rest
    env = sandbox.environ()
    good = drift("probe", "staging", "--service", "api", env={**env, name: token})
    assert good.returncode == 0, good.stdout + good.stderr
    forged = mint_test_jwt("not-the-key")
    bad = drift("probe", "staging", "--service", "api", env={**env, name: forged})
    assert bad.returncode == 1 and "1008" in bad.stdout


@pytest.mark.parametrize(
    ("scenario", "said"),
    [
        ("real-shapes", "no backend of the scenario checks a token"),
        ("nosuch", "no scenario nosuch: no such file, nor a scenario shipped with drift"),
    ],
)
def test_the_scenario_named_before_token_is_the_one_it_mints_for(scenario: str, said: str) -> None:
    """`drift sandbox --scenario F token`, as `drift sandbox --scenario F` starts it: F's
    tokens. The option was passed over: the default story's ACME_TEST_JWT, exit 0, even for
    a scenario that does not exist (helper-740 F5)."""
    done = drift("sandbox", "--scenario", scenario, "token", timeout=60, serves=False)
    assert done.returncode == 2 and done.stdout == "", done.stdout + done.stderr
    assert said in done.stderr
