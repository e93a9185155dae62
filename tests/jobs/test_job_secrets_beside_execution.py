"""A job whose latest execution failed has it read (GetExecution) for `job.failed`, and the
secrets its template references read beside it, not after it answered (helper-633 F5): what
the execution tells feeds nothing of the references. Judged by when the calls were sent in a
sandbox that answers each after 50 ms (`tests.rounds`), never by wall time."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.live.session import Access, Session
from drift.profiles.loader import load_profile
from tests.conftest import MakeSandbox
from tests.rounds import rounds
from tests.test_check_shapes import SHAPES


def test_a_failed_jobs_secrets_are_read_beside_its_execution(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """real-shapes' e2e-runner: its latest execution failed, its E2E_OAUTH_SIMULATION_KEY
    names e2e-oauth-key (latest version DISABLED, granted on its own policy). The secret's
    reads start with GetExecution: GetJob, then GetExecution ∥ GetSecretVersion ∥
    GetIamPolicy, two rounds (three when they waited for GetExecution)."""
    sandbox = make_sandbox(SHAPES, latency_ms=50)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\njobs:\n  e2e-runner: {}\n"
    )
    profile = load_profile(tmp_path, "prod")

    async def read() -> Any:
        async with Session(Access()) as session:
            return await session.read(profile, ["job/e2e-runner"])

    sandbox.clear_calls()
    state = asyncio.run(read())
    assert state.services["job/e2e-runner"].execution.failed
    calls = list(sandbox.calls)
    [execution] = [c for c in calls if c.short == "GetExecution"]
    secret = [c for c in calls if "e2e-oauth-key" in str(c.request)]
    assert secret, [c.short for c in calls]
    first = min(c.at for c in secret)
    assert first < execution.ended, [(c.short, c.at, c.ended) for c in calls]
    assert rounds(calls) == 2, [(c.short, c.at, c.ended) for c in calls]
