"""`drift plan` exits as `check` does (SPEC "Exit codes": 1 on drift), so a shell line that
chains on it says `--fail-on never`: every `&&` example of `drift plan --help` runs its second
command on the shipped drift, and the help says plan's exit codes."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift, drift_argv


def _shell(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A help example's shell line as a user types it, `drift` being this tree's (a process
    of its own: `drift_argv`, forked from the zygote by the stand-in)."""
    shim = cwd / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "drift").write_text(f'#!/bin/sh\nexec {shlex.join(drift_argv())} "$@"\n')
    (shim / "drift").chmod(0o755)
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    full.update(env, PATH=f"{shim}:{full['PATH']}", PYTHONPATH=str(REPO), NO_COLOR="1")
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=full, capture_output=True, text=True, timeout=120
    )


def _chained_examples() -> list[str]:
    from drift.cli.fix import plan

    return [line.strip() for line in (plan.__doc__ or "").splitlines() if "&&" in line]


def test_plan_help_has_a_chained_example_and_says_its_exit_codes() -> None:
    doc = " ".join((__import__("drift.cli.fix", fromlist=["plan"]).plan.__doc__ or "").split())
    assert _chained_examples(), "plan --help shows how to chain on a plan"
    assert "Exit:" in doc and "--fail-on never" in doc, doc
    assert "bash fix.sh" not in " ".join(_chained_examples())  # never run unread


@pytest.mark.parametrize("example", _chained_examples())
def test_plan_help_chained_example_reaches_its_second_command_on_drift(
    example: str, sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    marker = tmp_path / "second-half-ran"
    # the second command replaced by one that leaves a trace: did the shell reach it?
    first = example.split("&&")[0]
    result = _shell(f"{first} && touch {marker}", tmp_path, sandbox_env)
    assert marker.exists(), (
        f"`{example}` (drift plan --help): its second command never runs on the shipped "
        f"staging drift; plan exited {result.returncode}, stderr: {result.stderr!r}"
    )


def test_plan_fail_on_never_exits_0_with_drift_and_error_exits_1(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    never = drift("plan", "staging", "--fail-on", "never", env=sandbox_env, cwd=tmp_path)
    assert never.returncode == 0, never.stderr
    error = drift("plan", "staging", "--fail-on", "error", env=sandbox_env, cwd=tmp_path)
    assert error.returncode == 1, error.stderr
    assert never.stdout == error.stdout  # the same plan, whatever the gate
