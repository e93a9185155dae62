"""The benchmark itself: its phase clock runs the real command and accounts for all of it, and
its report says PASS or MISS against each target from the figures it is given."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks import secrets
from benchmarks.bench import PHASES, report
from benchmarks.bound import Bound, lower_bound
from benchmarks.measure import REPO, Process, Size, _phases, child_env
from benchmarks.world import ENVIRONMENT, scenario, write_profile
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from tests.cliutil import drift


def test_phases_cover_the_real_command(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    world = scenario(4)
    sandbox = make_sandbox(world)
    write_profile(world, tmp_path, value_rules=1)
    args = ["check", ENVIRONMENT, "--profiles", str(tmp_path), "--format", "json"]
    started = time.monotonic()
    spent, cpu = _phases(args, child_env(sandbox.environ()), tmp_path)
    wall = time.monotonic() - started
    assert set(spent) == set(PHASES)
    assert all(seconds >= 0 for seconds in spent.values())
    assert spent["API"] > 0.0 and spent["profile ‖ imports"] > 0.0 and cpu > 0.0
    # the phases are the whole process, give or take the clock reads
    assert abs(sum(spent.values()) - wall) < 0.25 * wall
    assert sandbox.call_counts().total() > 0
    assert REPO.joinpath("benchmarks", "workers.py").is_file()


def _size(services: int, wall: float, peak: float, calls: Counter[str], bound: Bound) -> Size:
    runs = [Process(wall, wall * 0.9, peak, 0, 0.0, calls) for _ in range(5)]
    phases = [dict.fromkeys(PHASES, wall / len(PHASES)) for _ in range(5)]
    sequential = {"wall": 10.0, "services": 1, "calls": {"GetService": 1}}  # 10 s a call
    return Size(services, runs, phases, [wall] * 5, sequential, bound, "0.00 0.00 0.00")


def test_report_says_pass_and_miss(make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    world = scenario(3)
    sandbox = make_sandbox(world)
    write_profile(world, tmp_path, value_rules=1)
    bound = lower_bound(sandbox, load_profile(tmp_path, ENVIRONMENT))
    version = [Process(0.05, 0.04, 20.0, 0, 0.0) for _ in range(5)]
    fast = [_size(200, 0.8, 120.0, bound.calls, bound), _size(1000, 2.5, 250.0, bound.calls, bound)]
    quick = [Process(6.0, 0.5, 60.0, 2, 0.0) for _ in range(3)]
    lines = "\n".join(report(fast, version, 60.0, quick))
    assert "MISS" not in lines and lines.count("PASS") == 10
    extra = bound.calls + Counter(GetRevision=1)
    slow = [_size(200, 1.2, 120.0, extra, bound), _size(1000, 9.0, 400.0, bound.calls, bound)]
    verdicts = {
        line.split("  ")[1]: line.rsplit(" ", 1)[-1]
        for line in report(slow, version, 60.0, [Process(22.5, 0.5, 60.0, 2, 0.0)])
        if line.endswith(("PASS", "MISS"))
    }
    assert verdicts["200 × 30: whole process"] == "MISS"
    assert verdicts["1,000 × 30: whole process"] == "MISS"
    assert verdicts["1,000 × 30: peak RSS"] == "MISS"
    assert verdicts["cost linear in services: whole process"] == "MISS"
    assert verdicts["200 × 30: API calls"] == "MISS"
    assert verdicts["1,000 × 30: API calls"] == "PASS"
    assert verdicts["`drift --version`"] == "PASS"
    assert verdicts["an emulator port that never answers: to the message"] == "MISS"


def test_every_process_the_bench_times_runs_the_benchmarks_own_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timed `drift check` and `drift --version` processes (the headline figures and the
    API call counts) run the drift of the tree the bench is in, as its phase clock and
    sequential reader do: not whichever one the interpreter would import first (a worktree
    sharing another checkout's venv, whose editable install points there, or a PYTHONPATH
    set in the shell), which would time another tree than the one measured (revperf90 F3)."""
    other = tmp_path / "elsewhere"
    (other / "drift").mkdir(parents=True)
    (other / "drift" / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(other))
    imported = subprocess.run(
        [sys.executable, "-c", "import drift; print(drift.__file__)"],
        env=child_env({}),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(imported).resolve().is_relative_to(REPO), imported


def test_report_says_pass_and_miss_of_long_histories() -> None:
    version = [Process(0.05, 0.04, 20.0, 0, 0.0) for _ in range(5)]
    calls = Counter(GetService=1)
    bound = Bound(calls, 3, "list -> revision -> secret", calls)
    sizes = [_size(200, 0.8, 120.0, calls, bound), _size(1000, 2.5, 250.0, calls, bound)]

    def verdicts(walls: dict[str, float]) -> list[str]:
        lines = report(sizes, version, 60.0, (), walls)
        return [line.rsplit(" ", 1)[-1] for line in lines if "revisions:" in line]

    fast = {"check --no-history": 0.5, "check": 1.5, "history": 1.5}
    assert verdicts(fast) == ["PASS", "PASS"]
    slow = {"check --no-history": 0.5, "check": 3.1, "history": 2.1}
    assert verdicts(slow) == ["MISS", "MISS"]
    assert verdicts({}) == []  # not measured: no row


def test_report_says_pass_and_miss_of_large_secrets() -> None:
    version = [Process(0.05, 0.04, 20.0, 0, 0.0) for _ in range(5)]
    calls = Counter(GetService=1)
    bound = Bound(calls, 3, "list -> revision -> secret", calls)
    sizes = [_size(200, 0.8, 120.0, calls, bound), _size(1000, 2.5, 250.0, calls, bound)]

    def verdicts(wall: float | None) -> list[str]:
        lines = report(sizes, version, 60.0, (), None, wall)
        return [line.rsplit(" ", 1)[-1] for line in lines if "key secrets" in line]

    assert verdicts(1.2) == ["PASS"]
    assert verdicts(secrets.SECRETS_WALL + 0.1) == ["MISS"]
    assert verdicts(None) == []  # not measured: no row


def test_the_large_secrets_world_checks_clean_and_shows_no_payload(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    """What the bench times is a clean check that reads every value (exit 0), and none of the
    keys' pieces nor the config shows in its report."""
    world = secrets.world()
    sandbox = make_sandbox(world)
    secrets._profile(world, tmp_path)
    args = ["check", "big", "--profiles", str(tmp_path), "--format", "json"]
    done = drift(*args, env=sandbox.environ(), cwd=tmp_path)  # the check the bench times
    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.call_counts()["AccessSecretVersion"] == secrets.KEYS + 1
    payloads = [v["versions"][0] for v in world["projects"][secrets.PROJECT]["secrets"].values()]
    for payload in payloads:
        for line in payload.splitlines():
            if len(line) >= 16 and "BEGIN" not in line and "END" not in line:
                assert line.strip(' ",') not in done.stdout + done.stderr
