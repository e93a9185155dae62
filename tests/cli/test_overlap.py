"""`drift.cli.overlap`: the profile is parsed in a forked child while this process imports what
comes next; the child only ever has the word on a success, anything else is done here. Each
case runs in a process of its own (tests/cli/overlap_cases.py): a pytest worker has threads,
and a process with threads is never forked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from drift.cli.overlap import SERIAL
from tests.cli.overlap_cases import CASES
from tests.cliutil import REPO, drift, python_module

if TYPE_CHECKING:
    from drift.sandbox import Sandbox

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork is used on Linux only")


def _case(name: str) -> subprocess.CompletedProcess[str]:
    """A process of its own with no thread (forked from the zygote, itself one thread)."""
    return python_module("tests.cli.overlap_cases", name, env=os.environ)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str) -> None:
    """in_a_child: the work runs in a child while meanwhile runs here; serial: DRIFT_SERIAL=1
    runs both here; child_fails / child_killed / cannot_travel: the work is done here;
    error_once: the work's error is raised here, once; error_travels: a refusal of a kind
    named comes from the child whole, the work done once; error_with_a_cause_is_raised_here:
    one with a cause, or of a kind not named, is this process's own; interrupted: Ctrl-C
    during meanwhile kills and reaps the child; stuck: a child that never answers is stopped and the
    work done here; no_fork: a failing fork leaves the work here and Ctrl-C
    unblocked; threads: no fork while another thread runs; signals_in_the_child: the child
    ends at a signal by its default action; steps_until_an_error: a refusal sent by the child
    is raised between meanwhile's steps, the rest never taken; steps_all_taken_with_a_result:
    with a result, every step is taken, with the child or without it."""
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
    (profiles / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api: [1\n"
    )
    # the child's parse overlaps the imports of a fresh interpreter, as a user runs it;
    # DRIFT_SERIAL=1 parses here, whatever the process has imported: forked from the zygote
    monkeypatch.setenv("DRIFT_TESTS_FORK", "0" if serial == "0" else "zygote")
    done = drift("check", "staging", "--profiles", str(profiles), env={SERIAL: serial})
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("staging.yaml:") == 1
    assert "Traceback" not in done.stderr


def test_compare_reads_its_two_profiles_at_once_and_says_what_reading_in_turn_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift compare A B` reads A in a child while it reads B: the same comparison, and the
    same refusal (A's when both are bad, else B's), with the child or without it."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for shipped in (REPO / "profiles").glob("*.yaml"):
        (profiles / shipped.name).write_text(shipped.read_text())
    (profiles / "bad_a.yaml").write_text("project: p\nregion: us-central1\nservices:\n  api: [1\n")
    (profiles / "bad_b.yaml").write_text("project: p\nregoin: r\n")
    # each run a process of its own forked from the zygote (one thread: the child is forked as
    # in a fresh interpreter; `drift check` is run fresh by the tests above and below)
    monkeypatch.setenv("DRIFT_TESTS_FORK", "zygote")
    cases = {
        ("staging", "e2e"): (1, None),
        ("bad_a", "bad_b"): (2, "bad_a.yaml:4"),
        ("staging", "bad_b"): (2, "bad_b.yaml:2"),
    }
    for (a, b), (code, named) in cases.items():
        said = []
        for serial in ("0", "1"):
            done = drift("compare", a, b, "--profiles", str(profiles), env={SERIAL: serial})
            assert done.returncode == code, (a, b, serial, done.stderr)
            said.append((done.stdout, done.stderr))
        assert said[0] == said[1], (a, b)
        if named:
            assert said[0][1].count("drift: error:") == 1 and named in said[0][1], said[0][1]


def test_a_check_reports_the_same_with_and_without_the_child(
    make_sandbox: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real-shapes world (sidecars, secret volumes, secrets in another project, tags,
    jobs): byte for byte the same report, read with the profile parsed in a child or here."""
    from tests.test_check_shapes import PROFILES, SHAPES

    sandbox = make_sandbox(SHAPES)
    args = ("check", "prod", "--profiles", str(PROFILES), "--format", "json", "--wait", "0")
    monkeypatch.setenv("DRIFT_TESTS_FORK", "0")  # a fresh interpreter, as users run drift
    child = drift(*args, env=sandbox.environ())
    # DRIFT_SERIAL=1 parses here, whatever the process has imported: forked from the zygote
    monkeypatch.setenv("DRIFT_TESTS_FORK", "zygote")
    here = drift(*args, env={**sandbox.environ(), SERIAL: "1"})
    assert child.returncode == here.returncode
    assert child.returncode in (0, 1, 3), child.stderr
    assert json.loads(child.stdout)["findings"]  # a world with drift in it
    assert child.stdout == here.stdout
    assert child.stderr == here.stderr


def test_a_killed_drift_leaves_no_child_behind(tmp_path: Path) -> None:
    """kill -9 while the child reads a large profile: the child ends when it finds nobody to
    hand its result to (it never outlives its parse)."""
    from benchmarks.world import ENVIRONMENT, scenario, write_profile

    write_profile(scenario(400), tmp_path)
    argv = [sys.executable, "-m", "drift", "check", ENVIRONMENT, "--profiles", str(tmp_path)]
    proc = subprocess.Popen(
        argv,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 60
    while not (found := children.read_text().split()):
        assert proc.poll() is None and time.monotonic() < deadline, "no child was forked"
        time.sleep(0.002)
    child = int(found[0])
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 30
    while _alive(child):
        assert time.monotonic() < deadline, "the child outlived its parent by 30 s"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for init to reap it does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")
