"""A standard output that cannot be written — the reader closed the pipe (`drift check | head`,
a `tee` that died), the disk is full (`> /dev/full`) — is one message on stderr and an exit
code that never reads as a report: 2 (as a `--output` file that cannot be written), 4 for a
`drift fix` that stopped (cleaned up as after Ctrl-C). Never a traceback, an "internal
error", or click's silent exit 1 ("drift found") for a closed pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import IO

import pytest

from tests.cliutil import REPO

DATA = REPO / "tests" / "data" / "manifest"
OFFLINE = ("check", "prod", "--profiles", str(DATA / "profiles"), "--offline")
MANIFEST = ("-m", str(DATA / "chat.service.yaml"))
FULL = "drift: error: cannot write the output to standard output: No space left on device"
PIPE = "drift: error: cannot write the output to standard output: Broken pipe"


def _environ(**more: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    return {**base, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **more}


def _drift_into(stdout: int | IO[str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m drift ARGS`, a process of its own (the tests' forked drift has its streams
    set up already), its standard output `stdout`."""
    return subprocess.run(
        [sys.executable, "-m", "drift", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=_environ(),
        cwd=REPO,
        timeout=60,
    )


def _into_full_disk(*args: str) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w") as full:
        return _drift_into(full, *args)


def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Standard output a pipe whose reader is gone before drift writes a byte."""
    read, write = os.pipe()
    os.close(read)
    try:
        return _drift_into(write, *args)
    finally:
        os.close(write)


needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [
        ("--version",),  # answered before typer loads
        ("profiles", "schema"),
        ("check", "--help"),  # click's own text
        (*OFFLINE, *MANIFEST),  # a report
    ],
    ids=["version", "schema", "help", "check"],
)
def test_standard_output_on_a_full_disk_is_one_message_and_exit_2(args: tuple[str, ...]) -> None:
    done = _into_full_disk(*args)
    assert done.stderr.splitlines() == [FULL], done.stderr
    assert done.returncode == 2


@pytest.mark.parametrize(
    "args",
    [("--version",), ("check", "--help"), (*OFFLINE, *MANIFEST), (*OFFLINE, *MANIFEST, "-q")],
    ids=["version", "help", "check", "check-quiet"],
)
def test_a_closed_pipe_is_one_message_and_never_exit_1(args: tuple[str, ...]) -> None:
    """`drift check prod | head -0`: click exits 1 on EPIPE, which a `pipefail` script
    reads as "drift found" (this manifest's check, read, exits 1 too: the code alone could
    not tell them apart). The report was not read: exit 2. (`drift fix` in a pipe that
    closes: tests/fix/test_output_lost.py.)"""
    done = _into_closed_pipe(*args)
    assert done.stderr.splitlines() == [PIPE], done.stderr
    assert done.returncode == 2
