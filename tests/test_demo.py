"""`drift demo` tells the whole story and stops every process and port it started."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from tests.cliutil import REPO, python_argv, python_code


def test_shipped_example_profiles_are_the_repositorys() -> None:
    """The demo's profiles ship as package data (an installed drift has no repository); they
    are copies of profiles/, kept the same."""
    shipped = REPO / "drift" / "examples" / "profiles"
    names = sorted(p.name for p in (REPO / "profiles").iterdir() if p.is_file())
    assert sorted(p.name for p in shipped.iterdir()) == names
    for name in names:
        assert (shipped / name).read_bytes() == (REPO / "profiles" / name).read_bytes(), name


def _warnings(text: str) -> list[str]:
    """The lines of `text` that warn (a DeprecationWarning, a library's warning, drift's own)."""
    return [
        line
        for line in text.splitlines()
        if line.lstrip().lower().startswith("warning") or "Warning:" in line
    ]


DEMO = """import runpy, sys
sys.executable = sys.argv[1]
sys.argv = ["drift", *sys.argv[2:]]
runpy.run_module("drift", run_name="__main__", alter_sys=True)
"""
"""`python -m drift ARGS` in a fresh interpreter whose `sys.executable` is `argv[1]`: the demo
starts each step as `sys.executable -m drift` (drift/demo.py `_run_step`)."""


def test_demo_tells_the_story_and_cleans_up(tmp_path: Path) -> None:
    """From any directory (an installed drift, a user's project whose own profiles/ the story
    would fail on): the shipped example profiles, named in the output. The demo itself starts
    fresh; its 8 steps run through the worker's `python` stand-in (forked from the zygote, a
    second of imports less each), whose imports warn as the next test has them do."""
    (tmp_path / "profiles").mkdir()  # a user's project: `drift init` wrote their own
    (tmp_path / "profiles" / "e2e.yaml").write_text("project: theirs\nservices: {}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    env["PYTHONPATH"] = str(REPO)
    env["DRIFT_PROFILES_DIR"] = str(tmp_path / "profiles")
    done = subprocess.run(
        [sys.executable, "-c", DEMO, python_argv()[0], "demo"],
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
    assert not _warnings(out + done.stderr), _warnings(out + done.stderr)
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


def test_what_the_steps_import_warns_about_nothing(tmp_path: Path) -> None:
    """What the zygote imported before it forks the demo's steps (every module of drift's a
    command may import and the libraries they load late: tests/zygote.py `_warm`) warned
    nothing: a forked step would not show what an import warns, a fresh `python -m drift`
    would. A run forked from the worker's zygote reads what its warm-up warned
    (`zygote.WARNED`); a fresh interpreter (DRIFT_TESTS_FORK=0) imports it all itself."""
    code = (
        "from tests import zygote\n"
        "if not zygote.WARMED:\n"
        "    zygote._warm()\n"
        "print('warmed', ''.join(zygote.WARNED))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    env["PYTHONPATH"] = str(REPO)
    done = python_code(code, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("warmed"), done.stderr
    assert not _warnings(done.stdout + done.stderr), done.stdout + done.stderr
