"""`drift rollback CHANGE --from-live ENV` (a change whose journal is not here) looks for its
canary on every service of the profile: they are read concurrently, at most
`settings.concurrency` at a time, and judged in the profile's order (revperf finding 3: one
GetService after another). Judged by calls and rounds (50 ms a call), never wall time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.world import ENVIRONMENT
from tests.rounds import World, bench_world, rounds, short

SERVICES = 20


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(SERVICES, tmp_path)


def test_rollback_from_live_reads_the_services_concurrently(world: World) -> None:
    code, out, calls = world.drift(
        "rollback", "20261130-000000-abcd", "--from-live", ENVIRONMENT, "--profiles", "profiles"
    )
    assert code == 2, out  # no service carries that change's canary
    assert "no service of perf" in out and "svc-0000, svc-0001" in out, out
    assert short(calls)["GetService"] == SERVICES, short(calls)
    assert rounds(calls) <= 5, f"{rounds(calls)} sequential round trips, {short(calls)}"
