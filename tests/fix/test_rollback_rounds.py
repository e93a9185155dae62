"""`drift rollback` of a change of many services (revperf finding 2): the services are read
concurrently before the prompt, and restored concurrently after it, at most
`settings.concurrency` at a time; with `--yes` the read before the prompt is the one each
restoration starts from (no prompt waited: it is the same moment), never repeated. Judged by
the sandbox's calls and rounds (sequential round trips at 50 ms a call), never wall time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rounds import World, bench_world, rounds, short

SERVICES = 20


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(SERVICES, tmp_path)


def test_rollback_yes_reads_once_and_restores_services_concurrently(world: World) -> None:
    code, out, _ = world.drift("fix", "drifted", "--profiles", "profiles", "--yes")
    assert code == 0, out
    code, out, calls = world.drift("rollback", "--yes")
    assert code == 0, out
    counts = short(calls)
    # one read before the prompt, one once the restoration settled: none in between
    assert counts["GetService"] == 2 * SERVICES, counts
    assert counts["UpdateService"] == SERVICES, counts
    # read, write, its operation, read back: a handful of rounds, not 5 per service
    assert rounds(calls) <= 12, f"{rounds(calls)} sequential round trips, {counts}"
    # said in the change's order, as one at a time said it
    names = [f"svc-{i:04d}" for i in range(SERVICES)]
    restored = [n for line in out.splitlines() for n in names if line.startswith(f"{n}: restored")]
    assert restored == sorted(restored) and len(restored) == SERVICES, out
    checked = [
        n for line in out.splitlines() for n in names if line.startswith(f"{n}: restore what")
    ]
    assert checked == sorted(checked) and len(checked) == SERVICES, out


def test_rollback_with_concurrency_one_restores_one_at_a_time(world: World) -> None:
    code, out, _ = world.drift("fix", "drifted", "--profiles", "profiles", "--yes")
    assert code == 0, out
    world.env["DRIFT_CONCURRENCY"] = "1"
    code, out, calls = world.drift("rollback", "--yes")
    assert code == 0, out
    assert rounds(calls) >= 4 * SERVICES, rounds(calls)
