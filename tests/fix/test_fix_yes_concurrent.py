"""`drift fix --yes` on many services (revperf finding 1): each service's whole flow — canary,
proof, promotion — runs concurrently with the others', at most `settings.concurrency` at a
time; after the first abort no other service starts, and those in flight end their own flow;
what each says is said in the plan's order (Ctrl-C: test_fix_yes_concurrent_ctrl_c.py; the
fix of 20 services at the default concurrency: test_rollback_rounds.py, whose rollback starts
from the same run).
Judged by the sandbox's calls and rounds (sequential round trips at 50 ms a call), never by
wall time; the latency injected below only orders the flows."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from drift.errors import ExitCode, OutputLost
from drift.fix.apply import FixOptions, run_fix
from drift.fix.journal import Journal, State
from drift.live.changeids import tagged_change
from drift.profiles.loader import load_profile
from drift.sandbox import Fault
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.rounds import World

FIX = ["fix", "drifted", "--profiles", "profiles", "--yes"]


def names(n: int) -> list[str]:
    return [f"svc-{i:04d}" for i in range(n)]


def project(world: World) -> str:
    return (world.profiles / "drifted.yaml").read_text().split("\n", 1)[0].split(": ")[1]


def writes(calls: list[Any], name: str) -> list[Any]:
    """The UpdateService requests sent for service `name`, in the order they arrived."""
    ordered = sorted(calls, key=lambda c: c.at)
    return [
        c.request.service
        for c in ordered
        if c.short == "UpdateService" and c.request.service.name.endswith(f"/services/{name}")
    ]


def test_fix_yes_with_concurrency_one_fixes_one_service_after_another(world5: World) -> None:
    world5.env["DRIFT_CONCURRENCY"] = "1"
    code, out, calls = world5.drift(*FIX)
    assert code == 0, out
    ordered = [c for c in sorted(calls, key=lambda c: c.at) if c.short == "UpdateService"]
    services = [c.request.service.name.rsplit("/", 1)[1] for c in ordered]
    assert services == [n for n in names(5) for _ in (1, 2)]  # canary, promotion; then the next


def test_an_abort_starts_no_other_service_and_lets_the_one_in_flight_finish(
    world5: World,
) -> None:
    """Concurrency 2: svc-0000 and svc-0001 start; svc-0001's canary write is refused while
    svc-0000 is still deploying (its writes are slowed down): nothing starts after the
    abort, svc-0000 ends its own flow — canary, then promotion — and the final line lists
    what was fixed, aborted and not started, in the plan's order."""
    world5.env["DRIFT_CONCURRENCY"] = "2"
    world5.sandbox.inject(
        Fault("UpdateService", "FAILED_PRECONDITION", first_n=1, match="/services/svc-0001")
    )
    world5.sandbox.inject(Fault("UpdateService", None, latency_ms=500, match="/services/svc-0000"))
    code, out, calls = world5.drift(*FIX)
    assert code == 1, out  # something was applied: the re-check's drift, never 0 (SPEC)
    ordered = [c for c in sorted(calls, key=lambda c: c.at) if c.short == "UpdateService"]
    services = [c.request.service.name.rsplit("/", 1)[1] for c in ordered]
    # both in flight at once, svc-0000's promotion after the abort; no other service started
    assert sorted(services[:2]) == ["svc-0000", "svc-0001"], services
    assert services[2:] == ["svc-0000"], f"{services}\n{out}"
    canary, promotion = writes(calls, "svc-0000")
    assert any(tagged_change(t.tag) for t in canary.traffic)
    assert not any(tagged_change(t.tag) for t in promotion.traffic)
    (refused,) = writes(calls, "svc-0001")
    assert any(tagged_change(t.tag) for t in refused.traffic)
    final = next(line for line in out.splitlines() if line.startswith("partial fix: "))
    assert final.startswith(
        "partial fix: svc-0000: promoted; svc-0001: aborted; "  # said once (helper-811 N1)
        "svc-0002: not attempted; svc-0003: not attempted; svc-0004: not attempted. "
    ), out
    states = {e.service: e.state for e in Journal(world5.where / ".drift" / "journal").entries()}
    assert states == {"svc-0000": State.PROMOTED, "svc-0001": State.ABORTED}, states
    assert not list((world5.where / ".drift" / "journal" / "locks").glob("*.lock"))


class BreaksAt(ScriptedUI):
    """Its output breaks at the line saying `service` deploys (`drift fix | head`)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def say(self, text: str) -> None:
        if text.startswith(f"{self.service}: deploying"):
            raise OutputLost("cannot write the output to standard output: Broken pipe")
        super().say(text)


def test_output_lost_lets_the_flows_in_flight_finish(
    world5: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift fix --yes | head`: the output breaks when svc-0003's lines are said while
    svc-0004's flow is still in flight (its writes are slowed down): no flow is cancelled
    mid-write — each one started ends its own flow (here: promoted), its lock released —
    and the fix exits 4 saying where each stands. A guard of the concurrent path:
    cancelled there, a promotion was left `promoting` with its lock kept."""
    for key, value in world5.sandbox.environ().items():
        monkeypatch.setenv(key, value)
    world5.sandbox.inject(Fault("UpdateService", None, latency_ms=1000, match="/services/svc-0004"))
    journal = Journal(world5.where / ".drift" / "journal")
    settings = load_settings(journal_dir=journal.directory)
    profile = load_profile(world5.profiles, "drifted")
    with pytest.raises(OutputLost) as lost:
        asyncio.run(run_fix(profile, settings, BreaksAt("svc-0003"), FixOptions(yes=True)))
    assert lost.value.exit_code == ExitCode.ABORTED
    assert "svc-0004: the fix is complete" in lost.value.message, lost.value.message
    states = {e.service: e.state for e in journal.entries()}
    assert set(states) == set(names(5)), states
    assert set(states.values()) == {State.PROMOTED}, states
    assert not list((journal.directory / "locks").glob("*.lock"))


@pytest.mark.parametrize("slow_last", [False, True], ids=["in-flight-first", "in-flight-last"])
def test_a_bug_in_one_flow_starts_no_other_service_and_cancels_none(
    world5: World, monkeypatch: pytest.MonkeyPatch, slow_last: bool
) -> None:
    """revown25 1: a flow ended by a bug of drift's (no DriftError) gave its slot to the next
    service while the others waited in plan order: services after it were canaried and
    promoted, then the one still deploying when the bug surfaced was cancelled with a cleanup
    saying "Ctrl-C" though nobody pressed it. As one at a time: nothing starts after the bug,
    the flows in flight end their own flow, then the bug is raised."""

    for key, value in world5.sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DRIFT_CONCURRENCY", "2")
    world5.sandbox.inject(Fault("UpdateService", None, latency_ms=1500, match="/services/svc-0000"))
    if slow_last:  # still deploying when the bug reaches the consumer
        world5.sandbox.inject(
            Fault("UpdateService", None, latency_ms=3000, match="/services/svc-0004")
        )
    journal, settings, profile = promotion_bug(world5, monkeypatch)
    ui = ScriptedUI()
    world5.sandbox.clear_calls()
    with pytest.raises(RuntimeError):
        asyncio.run(run_fix(profile, settings, ui, FixOptions(yes=True)))
    calls = list(world5.sandbox.calls)
    said = "\n".join(ui.said)
    assert [n for n in names(5)[2:] if writes(calls, n)] == [], said
    assert "Ctrl-C" not in said, said
    states = {e.service: e.state for e in journal.entries()}
    assert states["svc-0000"] == State.PROMOTED, states  # in flight: ended its own flow
    locks = world5.where / ".drift" / "journal" / "locks"
    assert any("svc-0001" in p.name for p in locks.glob("*.lock")), states  # kept


def promotion_bug(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[Journal, Any, Any]:
    """svc-0001's promotion raises a bug of drift's (no DriftError); the journal, settings
    and profile of a fix of `world`."""
    from drift.fix.canary import ServiceFix

    real = ServiceFix._promote

    async def buggy(self: ServiceFix) -> None:
        if self.name == "svc-0001":
            raise RuntimeError("a bug in drift")
        await real(self)

    monkeypatch.setattr(ServiceFix, "_promote", buggy)
    journal = Journal(world.where / ".drift" / "journal")
    settings = load_settings(journal_dir=journal.directory)
    return journal, settings, load_profile(world.profiles, "drifted")
