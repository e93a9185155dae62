"""`drift fix --yes` with concurrent flows (revcrash2's minor point): what is said of a lock
taken over (a stale one a killed command left, with nothing of its change pending) is said in
that service's own place in the ordered output, with its flow's lines, never ahead of every
other service's lines."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.fix.lockname import lock_name
from tests.fix.test_fix_yes_concurrent import FIX, names, project
from tests.fix.test_lock import dead_pid
from tests.rounds import World, bench_world


@pytest.fixture
def world4(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(4, tmp_path)


def left_lock(world: World, journal: Path, service: str) -> None:
    """The lock a killed `drift fix` left on `service` before it wrote anything (no journal
    entry of its change): stale, taken over by the next fix."""
    region = (world.profiles / "drifted.yaml").read_text().split("region: ", 1)[1].split()[0]
    full = f"projects/{project(world)}/locations/{region}/services/{service}"
    locks = journal / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    body = {
        "change_id": f"20261101-120000-{service[-4:]}",
        "pid": dead_pid(),
        "host": socket.gethostname(),
        "started": "2026-11-01T12:00:00+00:00",
    }
    (locks / lock_name(full)).write_text(json.dumps(body))


def test_a_lock_taken_over_is_said_in_its_services_place(world4: World) -> None:
    journal = world4.where / "journal"
    world4.env["DRIFT_JOURNAL_DIR"] = str(journal)
    for service in ("svc-0001", "svc-0003"):
        left_lock(world4, journal, service)
    code, out, _ = world4.drift(*FIX)
    assert code == 0, out
    lines = out.splitlines()
    services = names(4)
    for service in ("svc-0001", "svc-0003"):
        (at,) = [i for i, line in enumerate(lines) if line.startswith(f"{service}: took over")]
        before = services[services.index(service) - 1]
        # in its own flow's block: after the flow of the service before it, right before its
        # own canary (the plan's order, as each flow's lines are said)
        assert lines[at - 1].startswith(f"{before}: "), out
        assert lines[at + 1].startswith(f"{service}: deploying canary"), out
        assert any(line.startswith(f"{before}: deploying canary") for line in lines[:at]), out


def test_the_locks_kept_are_said_in_the_plans_order(tmp_path: Path) -> None:
    """Concurrent flows cut by Ctrl-C keep their locks in whatever order their cleanups end:
    the one line that says where the fix stands names them in the order the flows started
    (the plan's), each with its own service."""
    from types import SimpleNamespace
    from typing import Any

    from drift.fix.interrupt import Where
    from drift.fix.journal import State

    class Kept:
        def keep(self, full_name: str) -> Path:
            return tmp_path / f"{full_name}.lock"

    def fixer(name: str) -> Any:
        entry = SimpleNamespace(
            kind="service",
            canary_revision=f"{name}-canary",
            wrote=True,
            state=State.CANARY_READY,
            full_name=name,
        )
        return SimpleNamespace(entry=entry, name=name, change_id="c1", where="")

    where = Where()
    first, second = fixer("svc-a"), fixer("svc-b")
    where.fixes += [first, second]  # started in the plan's order
    for one in (second, first):  # their cleanups cut in the other order
        where._keep(one, Kept())  # type: ignore[arg-type]
    line = where.line()
    assert line.index("svc-a: the change is unfinished") < line.index("svc-b: the change"), line
