"""A Ctrl-C that reaches `drift init --from-live` once its profile is written (while the JSON
Schema beside it is written, or the notes are made) says what is on disk: the profile it wrote
— with `--force`, over the operator's own — never "nothing was written" (revcli88 F1). The
window is too short to hit with a terminal's Ctrl-C reliably: a real SIGINT is sent from where
it would land, right after the profile is moved into place."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift_argv, python_code

AFTER_THE_WRITE = """
import os, signal, sys
import drift.onboarding.init as init

written = init.write_profile

def then_ctrl_c(*args, **kwargs):
    loaded = written(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGINT)  # handled by the event loop: the task is cancelled
    return loaded

init.write_profile = then_ctrl_c
from drift.cli import main
sys.argv = ["drift", *sys.argv[1:]]
main()
"""

BEFORE_THE_READS = AFTER_THE_WRITE.replace("init.write_profile", "init.refuse_overwrite")
"""Ctrl-C as the command starts (it checks that no profile is in the way, then reads)."""


def _init(sandbox: Sandbox, code: str, directory: Path, *more: str) -> tuple[int, str]:
    done = python_code(
        code,
        *("init", "staging", "--from-live", "--project", "acme-chat-staging"),
        *("--region", "us-central1", "--service", "api", "--profiles", str(directory), *more),
        env={**sandbox.environ(), "PYTHONPATH": str(REPO)},
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize("force", [False, True])
def test_ctrl_c_after_the_profile_is_written_says_it_was(
    sandbox: Sandbox, tmp_path: Path, force: bool
) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    own = profiles / "staging.yaml"
    if force:
        own.write_text("# the operator's own profile\nproject: acme-chat-staging\n")
    code, stderr = _init(sandbox, AFTER_THE_WRITE, profiles, *(["--force"] if force else []))
    assert "# the operator's own" not in own.read_text()  # written (over the old one)
    assert code == 3, stderr
    assert "Traceback" not in stderr
    assert "nothing was written" not in stderr
    assert stderr.startswith("drift: error: interrupted: ")
    (line,) = stderr.splitlines()
    assert str(own) in line and "written before it stopped" in line


def test_ctrl_c_before_anything_is_written_says_nothing_was(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    profiles = tmp_path / "profiles"
    code, stderr = _init(sandbox, BEFORE_THE_READS, profiles)
    assert not (profiles / "staging.yaml").exists()
    assert code == 3, stderr
    assert stderr.splitlines() == ["drift: error: interrupted: nothing was written"]


@pytest.mark.parametrize("stdout", ["full", "closed"])
def test_a_summary_that_cannot_be_shown_still_says_the_profile_was_written(
    sandbox: Sandbox, tmp_path: Path, stdout: str
) -> None:
    """`drift init … > /dev/full` or `>&-`: the profile is written, then its summary cannot
    be: the one line says the profile was written (exit 3, as a fix whose outcome could not
    be said), never exit 2 "nothing was checked" with a hint at an --output init does not
    have (revcli88 F7)."""
    profiles = tmp_path / "profiles"
    argv = [
        *drift_argv(), "init", "staging", "--from-live", "--project", "acme-chat-staging",
        "--region", "us-central1", "--service", "api", "--profiles", str(profiles),
    ]  # fmt: skip
    redirect = "> /dev/full" if stdout == "full" else ">&-"
    done = subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **sandbox.environ(), "PYTHONPATH": str(REPO)},
        cwd=tmp_path,
        timeout=60,
    )
    assert (profiles / "staging.yaml").is_file()
    assert done.returncode == 3, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("drift: error: cannot write the output to standard output"), line
    assert "profiles/staging.yaml was written" in line
    assert "--output" not in line
