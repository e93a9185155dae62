"""`drift rollback` of a change of many services (revperf finding 2): the services are read
concurrently before the prompt, and restored concurrently after it, at most
`settings.concurrency` at a time; with `--yes` the read before the prompt is the one each
restoration starts from (no prompt waited: it is the same moment), never repeated. Judged by
the sandbox's calls and rounds (sequential round trips at 50 ms a call), never wall time.

The change is `drift fix --yes` of 20 services at the default concurrency (revperf finding
1, the rest in test_fix_yes_concurrent.py): `fixed` runs it once, what it said and sent is
judged by `test_fix_yes_fixes_services_concurrently`, and the concurrent rollback starts
from the world it left (that test reads only the run's recorded output and calls)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.live.changeids import tagged_change
from tests.fix.test_fix_yes_concurrent import FIX, names, writes
from tests.rounds import World, bench_world, rounds, short

SERVICES = 20

Fixed = tuple[World, int, str, list[Any]]  # the world after the fix; its code, output, calls


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fixed]:
    """`drift fix --yes` of SERVICES services, run once for the module."""
    for world in bench_world(SERVICES, tmp_path_factory.mktemp("fixed")):
        code, out, calls = world.drift(*FIX)
        yield world, code, out, calls


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(SERVICES, tmp_path)


def test_fix_yes_fixes_services_concurrently(fixed: Fixed) -> None:
    _, code, out, calls = fixed
    assert code == 0, out
    counts = short(calls)
    assert counts["UpdateService"] == 2 * 20, counts  # a canary and a promotion each
    # the plan's read, one service's own flow, the re-check: not 6 round trips per service
    # (120). 18 on a quiet machine (as call clusters 40 ms apart, the measure before
    # `rounds` chained calls by their answers: 17, and 48 under 10 workers on 2 cores)
    assert rounds(calls) <= 60, f"{rounds(calls)} sequential round trips, {counts}"
    for name in names(20):  # each service's own order: its canary, then its promotion
        canary, promotion = writes(calls, name)
        assert any(tagged_change(t.tag) for t in canary.traffic), name
        assert not any(tagged_change(t.tag) for t in promotion.traffic), name
    said = [n for line in out.splitlines() for n in names(20) if line.startswith(f"{n}: deploy")]
    assert said == names(20), out  # said in the plan's order, as one at a time says it
    moved = [n for line in out.splitlines() for n in names(20) if line.startswith(f"{n}: traffic")]
    assert moved == names(20), out


def test_rollback_yes_reads_once_and_restores_services_concurrently(fixed: Fixed) -> None:
    world, code, out, _ = fixed
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
    code, out, _ = world.drift(*FIX)
    assert code == 0, out
    world.env["DRIFT_CONCURRENCY"] = "1"
    code, out, calls = world.drift("rollback", "--yes")
    assert code == 0, out
    assert rounds(calls) >= 4 * SERVICES, rounds(calls)
