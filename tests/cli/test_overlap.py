"""`drift.cli.overlap`: the profile is parsed in a forked child while this process imports what
comes next; the child only ever has the word on a success, anything else is done here. Each
case runs in a process of its own (tests/cli/overlap_cases.py): a pytest worker has threads,
and a process with threads is never forked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drift.cli.overlap import SERIAL
from tests.cli.overlap_cases import CASES
from tests.cliutil import REPO, drift

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork is used on Linux only")


def _case(name: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "tests.cli.overlap_cases", name]
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str) -> None:
    """in_a_child: the work runs in a child while meanwhile runs here; serial: DRIFT_SERIAL=1
    runs both here; child_fails / child_killed / cannot_travel: the work is done here;
    error_once: the work's error is raised here, once; interrupted: Ctrl-C during meanwhile
    kills and reaps the child; threads: no fork while another thread runs."""
    done = _case(name)
    assert done.returncode == 0, done.stderr


def test_what_the_child_prints_is_discarded() -> None:
    done = _case("error_once")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("printed by the work") == 1  # this process's own run only


@pytest.mark.parametrize("serial", ["0", "1"])
def test_a_bad_profile_is_one_message_whether_it_was_parsed_in_a_child(
    serial: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One message naming file:line, exit 2, in both modes (the child's failure is never
    shown; this process's own run says it once)."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "staging.yaml").write_text("project: p\nregion: r\nservices:\n  api: [1\n")
    monkeypatch.setenv("DRIFT_TESTS_FORK", "0")  # a fresh interpreter, as a user runs it
    done = drift("check", "staging", "--profiles", str(profiles), env={SERIAL: serial})
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("staging.yaml:") == 1
    assert "Traceback" not in done.stderr
