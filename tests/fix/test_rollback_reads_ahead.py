"""`drift rollback` of a canary's change makes a new revision of what served before it, which
Cloud Run fails if a secret version it references was disabled since (`drift.fix.startable`):
those versions' states are read beside the service, not once it answered (helper-663 M4: one
round fewer). Judged by when the sandbox received and answered each call (`tests.rounds`, 50 ms
a call), never by wall time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fix.test_fix_yes_concurrent import FIX
from tests.rounds import World, bench_world, rounds, short


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(1, tmp_path)


def test_the_restored_configurations_versions_are_read_beside_the_service(world: World) -> None:
    code, out, _ = world.drift(*FIX)
    assert code == 0, out
    code, out, calls = world.drift("rollback", "--yes")
    assert code == 0 and "restored svc-0000" in out, out
    counts = short(calls)
    assert counts["UpdateService"] == 1 and counts["GetSecretVersion"] >= 1, counts
    ordered = sorted(calls, key=lambda c: c.at)
    service = next(c for c in ordered if c.short == "GetService")
    versions = [c for c in ordered if c.short == "GetSecretVersion"]
    assert service.ended is not None
    assert all(c.at < service.ended for c in versions), [(c.short, c.at, c.ended) for c in ordered]
    # GetService ∥ GetSecretVersion, UpdateService, GetOperation, GetService
    assert rounds(calls) == 4, [(c.short, c.at, c.ended) for c in ordered]
