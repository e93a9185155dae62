"""`drift demo` tells the whole story and stops every process and port it started."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from tests.cliutil import REPO


def test_shipped_example_profiles_are_the_repositorys() -> None:
    """The demo's profiles ship as package data (an installed drift has no repository); they
    are copies of profiles/, kept the same."""
    shipped = REPO / "drift" / "examples" / "profiles"
    names = sorted(p.name for p in (REPO / "profiles").iterdir() if p.is_file())
    assert sorted(p.name for p in shipped.iterdir()) == names
    for name in names:
        assert (shipped / name).read_bytes() == (REPO / "profiles" / name).read_bytes(), name


def test_demo_tells_the_story_and_cleans_up(tmp_path: Path) -> None:
    """From any directory (an installed drift, a user's project whose own profiles/ the story
    would fail on): the shipped example profiles, named in the output."""
    (tmp_path / "profiles").mkdir()  # a user's project: `drift init` wrote their own
    (tmp_path / "profiles" / "e2e.yaml").write_text("project: theirs\nservices: {}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    env["PYTHONPATH"] = str(REPO)
    env["DRIFT_PROFILES_DIR"] = str(tmp_path / "profiles")
    done = subprocess.run(
        [sys.executable, "-m", "drift", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    out = done.stdout
    shipped = REPO / "drift" / "examples" / "profiles"
    assert f"profiles: a copy of {shipped} in " in out
    assert out.rstrip().endswith("demo: all 8 steps behaved as the story says")
    assert "NOT as expected" not in out
    # the story warns about nothing (a DeprecationWarning, a library's warning, drift's own)
    warned = [
        line
        for line in (out + done.stderr).splitlines()
        if line.lstrip().lower().startswith("warning") or "Warning:" in line
    ]
    assert not warned, warned
    # the story, in order: drift, the 1011 with its cause and the deploy that began it, the
    # proof, the fix, the rollback
    order = [
        "$ drift check staging",
        "close_1011",
        "$ drift history e2e --service api",
        "removed env.E2E_OAUTH_SIMULATION_KEY",
        "$ drift plan e2e",
        "(confirmed)",
        "no drift (exit 0)",
        "restored api, auth, web",
    ]
    positions = [out.index(marker) for marker in order]
    assert positions == sorted(positions)
    # every backend port the sandbox opened is closed again
    ports = {int(p) for p in re.findall(r"ws://127\.0\.0\.1:(\d+)/", out)}
    assert ports
    for port in ports:
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, port
    # no secret value and no runner token in the story's output
    from drift.sandbox import default_scenario_path
    from tests.cliutil import scenario_secret_values

    for value in scenario_secret_values(default_scenario_path()):
        assert value not in out
    assert "eyJ" not in out
