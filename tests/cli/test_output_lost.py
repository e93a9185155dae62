"""A standard output that cannot be written — the reader closed the pipe (`drift check | head`,
a `tee` that died), the disk is full (`> /dev/full`) — is one message on stderr and an exit
code that never reads as a report that was not there: 2 where nothing was checked (`--version`,
the help), 4 for a `drift fix` that stopped (cleaned up as after Ctrl-C), and for a check that
ran, what any output lost after it gets (README "GitHub Actions"): the other outputs and the
step summary still written, 1 if drift was found, else 3 (never 0). Never a traceback, an
"internal error", or click's silent exit 1 for a closed pipe."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import IO

import pytest

from tests.cliutil import REPO, buffered, python_module_into

DATA = REPO / "tests" / "data" / "manifest"
OFFLINE = ("check", "prod", "--profiles", str(DATA / "profiles"), "--offline")
MANIFEST = ("-m", str(DATA / "chat.service.yaml"))
FULL = "drift: error: cannot write the output to standard output: No space left on device"
PIPE = "drift: error: cannot write the output to standard output: Broken pipe"
FORMATS = ("table", "json", "sarif", "github", "markdown")


def _environ(**more: str) -> dict[str, str]:
    """A user's environment: no PYTHONUNBUFFERED (`buffered`), so the exit flush is tried."""
    base = {k: v for k, v in buffered().items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    return {**base, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **more}


def _drift_into(
    stdout: int | IO[str], *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m drift ARGS`, a process of its own forked from the zygote (whose run ends as
    a fresh interpreter's does: its exit flush failing is "Exception ignored" and 120), its
    standard output `stdout`, `env` added to its environment."""
    fd = stdout if isinstance(stdout, int) else stdout.fileno()
    return python_module_into(fd, "drift", *args, env=_environ(**(env or {})))


def _into_full_disk(*args: str) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w") as full:
        return _drift_into(full, *args)


def _into_closed_pipe(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Standard output a pipe whose reader is gone before drift writes a byte."""
    read, write = os.pipe()
    os.close(read)
    try:
        return _drift_into(write, *args, env=env)
    finally:
        os.close(write)


needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


@needs_dev_full
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--version",), 2),  # answered before typer loads
        (("profiles", "schema"), 2),
        (("check", "--help"), 2),  # click's own text
        ((*OFFLINE, *MANIFEST), 1),  # a report: this manifest drifts
    ],
    ids=["version", "schema", "help", "check"],
)
def test_standard_output_on_a_full_disk_is_one_message(args: tuple[str, ...], code: int) -> None:
    done = _into_full_disk(*args)
    assert done.stderr.splitlines() == [FULL], done.stderr
    assert done.returncode == code


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--version",), 2),
        (("check", "--help"), 2),
        ((*OFFLINE, *MANIFEST), 1),
        ((*OFFLINE, *MANIFEST, "-q"), 1),
        ((*OFFLINE, *MANIFEST, "--fail-on", "never"), 3),
    ],
    ids=["version", "help", "check", "check-quiet", "check-never"],
)
def test_a_closed_pipe_is_one_message_and_never_clicks_exit_1(
    args: tuple[str, ...], code: int
) -> None:
    """`drift check prod | head -0`: click exits 1 on EPIPE whatever was found, which a
    `pipefail` script reads as "drift found". Nothing checked: 2; a check: 1 only when it
    found drift (this manifest does), else 3, never 0 (`--fail-on never`: the report, which
    would have said clean, was not read). (`drift fix` in a pipe that closes:
    tests/fix/test_output_lost.py.)"""
    done = _into_closed_pipe(*args)
    assert done.stderr.splitlines() == [PIPE], done.stderr
    assert done.returncode == code


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("never", 3)])
def test_a_closed_pipe_after_the_check_still_writes_the_other_reports(
    tmp_path: Path, fail_on: str, code: int
) -> None:
    """`drift check … --json report.json --sarif drift.sarif | head`, the reader gone: the
    JSON report (the next run's baseline), the SARIF log and the step summary are written all
    the same; they were lost with exit 2, "nothing was checked" (revown18 F3)."""
    report, sarif, summary = tmp_path / "report.json", tmp_path / "drift.sarif", tmp_path / "s.md"
    args = (*OFFLINE, *MANIFEST, "--fail-on", fail_on, "--json", str(report), "--sarif", str(sarif))
    done = _into_closed_pipe(*args, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    assert done.stderr.splitlines() == [PIPE], done.stderr
    assert done.returncode == code
    assert json.loads(report.read_text())["schema"] == "drift.report/v1"
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert "## drift · prod" in summary.read_text()


@needs_dev_full
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("plan", "staging", "--no-history"), 1),
        (("plan", "staging", "--no-history", "--fail-on", "never"), 3),
        (("history", "staging"), 3),
        (("compare", "staging", "e2e", "--profiles", str(REPO / "profiles")), 1),
        (
            (
                "compare",
                "staging",
                "e2e",
                "--profiles",
                str(REPO / "profiles"),
                "--fail-on",
                "never",
            ),
            3,
        ),
    ],
    ids=["plan", "plan-never", "history", "compare", "compare-never"],
)
@pytest.mark.parametrize("into", ["stdout", "--output"])
def test_a_lost_output_after_the_read_is_never_nothing_checked(
    sandbox_env: dict[str, str], args: tuple[str, ...], code: int, into: str
) -> None:
    """helper-602 F7: plan, history and compare read everything, then lost their one output
    (`> /dev/full`, `--output /dev/full`) and exited 2, which says nothing was checked. As
    `check`: 1 when they found drift or differences, else 3 — the report was not delivered."""
    env = {k: v for k, v in sandbox_env.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    with open("/dev/full", "w") as full, open(os.devnull, "w") as null:
        if into == "stdout":
            done = _drift_into(full, *args, env=env)
        else:
            done = _drift_into(null, *args, "--output", "/dev/full", env=env)
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert done.returncode == code, done.stderr


LIMIT = 100
"""What the file standard output goes to may grow to (`ulimit -f`): less than any document."""
CUT = re.compile(
    r"drift: error: cannot write the output to standard output: File too large "
    rf"\({LIMIT} of \d+ bytes written: what is there is cut short\)"
)


def _into_a_file_that_fills(*args: str, env: dict[str, str]) -> tuple[int, str, int]:
    """`PYTHONUNBUFFERED=1 drift ARGS > FILE` where FILE stops growing at LIMIT bytes, as a
    disk that fills partway through the write: the exit code, standard error and the bytes
    FILE holds. The kernel writes what fits, one short write; then write(2) answers EFBIG
    (SIGXFSZ ignored), as ENOSPC on a full disk, rather than the signal ending the process."""
    with tempfile.TemporaryFile() as out:
        done = python_module_into(
            out.fileno(),
            "drift",
            *args,
            # standard output unbuffered, as many a container and CI image sets it: a short
            # write(2) is then dropped without a word by CPython's text layer (the buffered
            # writer writes the rest again and meets EFBIG); no bytecode written: a .pyc cut
            # at LIMIT would be left for every later import
            env=_environ(**env, PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1"),
            timeout=120,
            fsize=LIMIT,
        )
        return done.returncode, done.stderr, os.fstat(out.fileno()).st_size


needs_file_size_limit = pytest.mark.skipif(
    not hasattr(signal, "SIGXFSZ"), reason="no RLIMIT_FSIZE and SIGXFSZ"
)


@needs_file_size_limit
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("profiles", "schema"), 2),
        *(((*OFFLINE, *MANIFEST, "--format", f), 1) for f in FORMATS),
        ((*OFFLINE, *MANIFEST, "--fail-on", "never", "--format", "sarif"), 3),
        ((*OFFLINE, *MANIFEST, "--fail-on", "never", "-q"), 3),
    ],
    ids=["schema", *FORMATS, "sarif-never", "quiet-never"],
)
def test_a_document_cut_short_on_standard_output_is_one_message(
    args: tuple[str, ...], code: int
) -> None:
    """helper-810 F2: `drift … > FILE` on a disk that filled partway through the write (with
    PYTHONUNBUFFERED=1) left FILE cut short at the kernel's one short write, with no message
    and the exit code of a report written whole (0 for a clean SARIF log, cut mid-string).
    Now every byte is written or the loss is one message naming how much was, and the exit
    code of an output lost."""
    ended, stderr, size = _into_a_file_that_fills(*args, env={})
    assert stderr.count("drift: error:") == 1 and CUT.search(stderr), stderr
    assert "Traceback" not in stderr and "(exit " not in stderr
    assert (ended, size) == (code, LIMIT)


@needs_file_size_limit
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("plan", "staging", "--no-history", "--format", "yaml", "--service", "web"), 1),
        (("plan", "staging", "--no-history", "--format", "gcloud"), 1),
        (("plan", "staging", "--no-history", "--format", "json", "--fail-on", "never"), 3),
        (("history", "staging"), 3),
        (("compare", "staging", "e2e", "--profiles", str(REPO / "profiles")), 1),
    ],
    ids=["plan-yaml", "plan-gcloud", "plan-json-never", "history", "compare"],
)
def test_plan_history_and_compare_cut_short_are_one_message(
    sandbox_env: dict[str, str], args: tuple[str, ...], code: int
) -> None:
    """`drift plan staging --format yaml > web.yaml` cut short parsed as a service with 45 of
    its 68 variables, which `gcloud run services replace` would take (helper-810 F2)."""
    env = {k: v for k, v in sandbox_env.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    ended, stderr, size = _into_a_file_that_fills(*args, env=env)
    assert stderr.count("drift: error:") == 1 and CUT.search(stderr), stderr
    assert (ended, size) == (code, LIMIT), stderr
