"""Starting and stopping: no ports, threads or processes left behind; `run_foreground` as
`drift sandbox` runs it; reset."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from drift.errors import InputError
from drift.sandbox import Sandbox, run_foreground
from tests.sandbox.helpers import PROJECT, probe


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return False
    return True


def own_listening_ports() -> set[int]:
    """The TCP ports this process holds a listening socket on (Linux: its descriptors' socket
    inodes in /proc/self/net/tcp{,6}, state 0A). Unlike `listening`, another process taking a
    freed port (any free port is handed out again at once) does not count."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for row in Path(f"/proc/self/net/{table}").read_text().splitlines()[1:]:
                fields = row.split()
                if fields[3] == "0A" and fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def sandbox_ports(sandbox: Sandbox) -> list[int]:
    ports = [int(sandbox.address.rsplit(":", 1)[1])]
    ports.extend(int(url.rsplit(":", 1)[1]) for url in sandbox.service_urls().values())
    for service in ("api", "auth", "web"):
        revision = sandbox.service(PROJECT, service).traffic_statuses[0].revision
        ports.append(int(sandbox.backend_url(PROJECT, service, revision).rsplit(":", 1)[1]))
    return ports


@pytest.mark.skipif(not Path("/proc/self/net").is_dir(), reason="needs /proc")
def test_stop_leaves_no_ports_or_threads() -> None:
    before = set(threading.enumerate())
    sandbox = Sandbox().start()
    ports = sandbox_ports(sandbox)
    assert len(set(ports)) == 7 and set(ports) <= own_listening_ports()
    assert probe(sandbox.service(PROJECT, "web").uri).status == 101
    sandbox.stop()
    sandbox.stop()  # idempotent
    assert not set(ports) & own_listening_ports()
    left = [t for t in set(threading.enumerate()) - before if t.name.startswith("drift")]
    assert left == [] and not sandbox.running
    with pytest.raises(RuntimeError):
        sandbox.service(PROJECT, "api")


def test_context_manager_and_restart_after_stop() -> None:
    with Sandbox() as sandbox:
        assert sandbox.service(PROJECT, "api").name
    assert not sandbox.running
    with sandbox:
        assert sandbox.service(PROJECT, "api").name and sandbox.address


def test_reset_restores_the_seeded_state(sandbox: Sandbox) -> None:
    seeded = sandbox.service(PROJECT, "api")
    sandbox.set_env(PROJECT, "api", "TESTING", None)
    assert sandbox.service(PROJECT, "api").generation == seeded.generation + 1
    sandbox.reset()
    again = sandbox.service(PROJECT, "api")
    assert again.generation == seeded.generation and again.etag == seeded.etag
    assert again.latest_ready_revision == seeded.latest_ready_revision
    assert sandbox.calls == []


def test_run_foreground_prints_exports_and_stops_on_signal() -> None:
    out = io.StringIO()
    done = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals need the main thread")

    def interrupt() -> None:
        while "Ctrl-C" not in out.getvalue():
            if done.wait(0.05):
                return
        os.kill(os.getpid(), signal.SIGINT)

    before = signal.getsignal(signal.SIGINT)  # SIG_IGN when the tests run in a background job
    killer = threading.Thread(target=interrupt, name="test-interrupt")
    killer.start()
    try:
        assert run_foreground(None, out=out) == 0
    finally:
        done.set()
        killer.join()
    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"export CLOUD_RUN_EMULATOR_HOST=127\.0\.0\.1:\d+", lines[0])
    assert re.fullmatch(r"export SECRET_MANAGER_EMULATOR_HOST=127\.0\.0\.1:\d+", lines[1])
    assert signal.getsignal(signal.SIGINT) is before  # the handler it found is put back


def test_run_foreground_rejects_a_bad_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("projects: [\n")
    with pytest.raises(InputError, match=r"bad\.yaml:\d+: invalid YAML"):
        run_foreground(bad, out=io.StringIO())


def session_processes(sid: int) -> list[int]:
    """Live processes in session `sid` (our subprocess and anything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_subprocess_exits_zero_on_sigint_and_leaves_no_processes() -> None:
    # port 0: the sandbox takes a free port itself (a port freed here and given to it could be
    # taken meanwhile by another test worker: that flaked under load)
    code = "from drift.sandbox import run_foreground; raise SystemExit(run_foreground(port=0))"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        second = process.stdout.readline()
        found = re.fullmatch(r"export CLOUD_RUN_EMULATOR_HOST=127\.0\.0\.1:(\d+)\n", first)
        assert found is not None, first
        port = int(found[1])
        assert second == f"export SECRET_MANAGER_EMULATOR_HOST=127.0.0.1:{port}\n"
        assert listening(port)
        for line in process.stdout:
            if "Ctrl-C" in line:
                break
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    # nothing of it listens: no process of its session lives (its port itself proves nothing
    # once it is closed: it was any free port, which the kernel may hand at once to another
    # worker's sandbox; that flaked under load)
    assert session_processes(process.pid) == []
