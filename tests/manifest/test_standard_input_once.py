"""Standard input named twice — `--manifest -` and `--manifest /dev/stdin` (or /dev/fd/0), or
`--manifest -` and `--baseline /dev/stdin` — is refused as such (exit 2), as a file named
twice is: the second reader found the stream empty ("/dev/stdin:1: empty: expected a
Knative Service…") or, redirected from a file, read it again as something it is not ("the
baseline /dev/stdin is no drift report"). A process of its own each: standard input is the
pipe. Offline: no Google Cloud call."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.cliutil import REPO, python_module

DATA = REPO / "tests" / "data" / "manifest"
OFFLINE = ("check", "prod", "--profiles", str(DATA / "profiles"), "--offline")
TEXT = (DATA / "chat.service.yaml").read_text()


def _piped(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env |= {"PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return python_module("drift", *OFFLINE, *args, env=env, stdin=TEXT, fork=False)


@pytest.mark.parametrize("name", ["/dev/stdin", "/dev/fd/0"])
def test_manifest_dash_and_dev_stdin_is_standard_input_twice(name: str) -> None:
    done = _piped("--manifest", "-", "--manifest", name)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == (
        f"drift: error: {name}:1: this file is also given as - (standard input): give each "
        "file once\n"
    )
    done = _piped("--manifest", name, "--manifest", "-")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == (
        f"drift: error: <stdin>:1: standard input is also given as {name}: give it once\n"
    )


def test_a_baseline_on_standard_input_beside_manifest_dash_is_refused() -> None:
    done = _piped("--manifest", "-", "--baseline", "/dev/stdin")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(
        "drift: error: --baseline /dev/stdin and --manifest - both read standard input, which "
        "can be read once\n"
    )
    assert done.stdout == ""


def test_dash_alone_is_read() -> None:
    done = _piped("--manifest", "-")
    assert done.returncode == 1 and "prod: 1 error" in done.stdout, done.stdout + done.stderr
