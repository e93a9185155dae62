"""`--manifest` given a pipe: one the shell hands drift (`<(terraform show -json plan)`, named
/dev/fd/N; standard input) is read, however slow its writer; a named pipe in the file system
that nothing may ever write is refused at once (it blocked `check --offline` for ever), as
the profile reader refuses one. Offline: no Google Cloud call."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.cliutil import REPO, drift

DATA = REPO / "tests" / "data" / "manifest"
OFFLINE = ("check", "prod", "--profiles", str(DATA / "profiles"), "--offline")
TEXT = (DATA / "chat.service.yaml").read_bytes()


def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "service.yaml"
    os.mkfifo(fifo)
    done = drift(*OFFLINE, "--manifest", str(fifo), cwd=tmp_path, timeout=20)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "drift: error: service.yaml:1: cannot read: not a regular file (a named pipe: drift "
        "waits for no writer; give a file or `<(command)`)\n"
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_character_device_is_refused_not_read(device: str, tmp_path: Path) -> None:
    """As a named pipe is: `/dev/zero` was read to the 256 MiB limit before "larger than
    268435456 bytes" (helper-834 F8); a device is no manifest."""
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    done = drift(*OFFLINE, "--manifest", device, cwd=tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    said = f"drift: error: {device}:1: cannot read: not a regular file (a character device)\n"
    assert done.stderr == said


def test_a_pipe_handed_to_drift_is_read_however_slow_its_writer(tmp_path: Path) -> None:
    """`--manifest <(sleep 1; terraform show -json plan)`: the shell passes the pipe's read
    end as a descriptor and names it /dev/fd/N; its writer starts late."""
    read, write = os.pipe()

    def slow() -> None:
        time.sleep(1)
        with os.fdopen(write, "wb") as out:
            out.write(TEXT)

    writer = threading.Thread(target=slow)
    writer.start()
    try:
        if os.environ.get("DRIFT_TESTS_FORK", "1") == "1":
            # in this process (`drift`: check runs in-process), where /dev/fd/N names the
            # same pipe's read end, as in the process the shell hands it to
            done = drift(*OFFLINE, "--manifest", f"/dev/fd/{read}", cwd=tmp_path, timeout=60)
        else:  # a fresh interpreter (or a zygote's run): the descriptor passed to it
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
            done = subprocess.run(
                [sys.executable, "-m", "drift", *OFFLINE, "--manifest", f"/dev/fd/{read}"],
                pass_fds=(read,), capture_output=True, text=True, cwd=tmp_path, timeout=60,
                env=env | {"PYTHONPATH": str(REPO), "NO_COLOR": "1"},
            )  # fmt: skip
    finally:
        os.close(read)
        writer.join()
    assert done.returncode == 1, done.stderr  # read: the drift the manifest declares
    assert "prod: 1 error" in done.stdout, done.stdout


def test_standard_input_is_read(tmp_path: Path) -> None:
    done = drift(*OFFLINE, "--manifest", "-", stdin=TEXT.decode(), cwd=tmp_path)
    assert done.returncode == 1 and "prod: 1 error" in done.stdout, done.stdout + done.stderr
