"""`compare --live` when one side's read fails for good (UNAUTHENTICATED: AuthError, never an
unverified item): the other side's read is cancelled and ended before the error is raised, so
nothing is left running into asyncio.run's shutdown (where its own error printed tracebacks
before the one message: SPEC invariant 7). Ctrl-C names the comparison."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from drift.compare.run import compare_live
from drift.errors import AuthError
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO, drift


@pytest.mark.usefixtures("sandbox_env")
def test_one_side_failing_ends_the_other_before_the_error(sandbox: Sandbox) -> None:
    sandbox.inject(Fault("*", None, latency_ms=300))  # every read is still going when one fails
    sandbox.inject(Fault("ListServices", "UNAUTHENTICATED", first_n=1))
    a, b = (load_profile(REPO / "profiles", env) for env in ("staging", "e2e"))

    async def compare() -> list[str]:
        with pytest.raises(AuthError, match="ListServices"):
            await compare_live(a, b, load_settings(call_timeout=5.0, retry_budget=3.0))
        # the secret reads a failed read leaves behind are cancelled and collected by the
        # reader itself (`Tasks.discard`); a side's read is the comparison's to end
        return [
            n for t in asyncio.all_tasks() if (n := t.get_coro().__qualname__) == "Session.read"
        ]

    left = asyncio.run(compare())
    assert not left, left  # the other side's read: ended, not left to the loop's shutdown


def test_compare_live_unauthenticated_is_one_message(sandbox: Sandbox, tmp_path: Path) -> None:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    sandbox.inject(Fault("*", None, latency_ms=200))
    sandbox.inject(Fault("ListServices", "UNAUTHENTICATED"))
    done = drift("compare", "staging", "e2e", "--live", env=sandbox.environ(), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("drift: error: ListServices"), done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "unhandled exception" not in done.stderr


def test_ctrl_c_during_compare_live_names_the_comparison(sandbox: Sandbox, tmp_path: Path) -> None:
    from tests.reliability.test_interruption import interrupt_when, start

    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    sandbox.inject(Fault("*", None, latency_ms=60_000))  # every call hangs
    proc = start(["compare", "staging", "e2e", "--live"], sandbox.environ(), tmp_path)
    code, out, err = interrupt_when(proc, lambda: bool(sandbox.calls))
    assert code == 3, err
    assert err.strip().splitlines() == ["drift: error: interrupted: the comparison is incomplete"]
