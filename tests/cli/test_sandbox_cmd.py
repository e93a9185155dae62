"""`drift sandbox` in the foreground: prints the export lines, serves drift from another
process, stops cleanly on Ctrl-C and leaves nothing listening."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys

from tests.cliutil import REPO, drift


def test_sandbox_command_serves_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    exports: dict[str, str] = {}
    with subprocess.Popen(
        [sys.executable, "-m", "drift", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                exports.update(re.findall(r"(\w+_EMULATOR_HOST)=(\S+)", line))
                if len(exports) == 3:
                    break
            assert set(exports) == {
                "CLOUD_RUN_EMULATOR_HOST",
                "SECRET_MANAGER_EMULATOR_HOST",
                "RESOURCE_MANAGER_EMULATOR_HOST",
            }
            done = drift("check", "staging", env=exports)
            assert done.returncode == 1 and "env.forbidden" in done.stdout
        finally:
            proc.send_signal(signal.SIGINT)
            _, errors = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in errors
    host, port = exports["CLOUD_RUN_EMULATOR_HOST"].rsplit(":", 1)
    with socket.socket() as s:
        assert s.connect_ex((host, int(port))) != 0
