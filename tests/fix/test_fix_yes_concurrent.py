"""`drift fix --yes` on many services (revperf finding 1): each service's whole flow — canary,
proof, promotion — runs concurrently with the others', at most `settings.concurrency` at a
time; after the first abort no other service starts, and those in flight end their own flow;
what each says is said in the plan's order; Ctrl-C cancels every flow in flight, each cleaned
up as a single one is. Judged by the sandbox's calls and rounds (sequential round trips at
50 ms a call), never by wall time; the latency injected below only orders the flows."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode, OutputLost
from drift.fix.apply import FixOptions, run_fix
from drift.fix.journal import Journal, State
from drift.live.changeids import tagged_change
from drift.profiles.loader import load_profile
from drift.sandbox import Fault
from drift.settings import load_settings
from tests.cliutil import drift
from tests.fix.conftest import ScriptedUI
from tests.reliability.test_interruption import interrupt_when, start
from tests.rounds import World, bench_world, rounds, short

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


@pytest.fixture
def world20(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(20, tmp_path)


@pytest.fixture
def world5(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(5, tmp_path)


def test_fix_yes_fixes_services_concurrently(world20: World) -> None:
    code, out, calls = world20.drift(*FIX)
    assert code == 0, out
    counts = short(calls)
    assert counts["UpdateService"] == 2 * 20, counts  # a canary and a promotion each
    # the plan's read, one service's own flow, the re-check: not 6 round trips per service
    assert rounds(calls) <= 40, f"{rounds(calls)} sequential round trips, {counts}"
    for name in names(20):  # each service's own order: its canary, then its promotion
        canary, promotion = writes(calls, name)
        assert any(tagged_change(t.tag) for t in canary.traffic), name
        assert not any(tagged_change(t.tag) for t in promotion.traffic), name
    said = [n for line in out.splitlines() for n in names(20) if line.startswith(f"{n}: deploy")]
    assert said == names(20), out  # said in the plan's order, as one at a time says it
    moved = [n for line in out.splitlines() for n in names(20) if line.startswith(f"{n}: traffic")]
    assert moved == names(20), out


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
        "partial fix: svc-0000: promoted; svc-0001: aborted (aborted); "
        "svc-0002: not attempted; svc-0003: not attempted; svc-0004: not attempted. "
    ), out
    states = {e.service: e.state for e in Journal(world5.where / ".drift" / "journal").entries()}
    assert states == {"svc-0000": State.PROMOTED, "svc-0001": State.ABORTED}, states
    assert not list((world5.where / ".drift" / "journal" / "locks").glob("*.lock"))


def test_ctrl_c_with_three_flows_in_flight_cleans_up_each(world5: World) -> None:
    """Concurrency 3, Ctrl-C while the three canaries deploy (their operations hang): each
    flow is cleaned up as a single one is — its tag removed, the routing that served back,
    its entry `cleaned-up`, its lock released — the two others never start, exit 4 with one
    line saying where each stands."""
    env = {**world5.env, "DRIFT_CONCURRENCY": "3"}
    sandbox, where = world5.sandbox, world5.where
    before = {n: sandbox.service(project(world5), n) for n in names(5)}
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000, first_n=3))
    sandbox.clear_calls()
    proc = start(FIX, env, where)

    def three_deploying() -> bool:
        return sum(c.short == "GetOperation" for c in sandbox.calls) >= 3

    code, _, err = interrupt_when(proc, three_deploying, signal.SIGINT)
    assert code == 4, err
    journal = Journal(where / ".drift" / "journal")
    entries = {e.service: e for e in journal.entries()}
    assert sorted(entries) == names(3), err
    line = err.strip().splitlines()[-1]
    assert line.startswith("drift: error: interrupted: svc-0000: Ctrl-C while the canary"), err
    for name, entry in entries.items():
        assert entry.state == State.CLEANED_UP, (name, entry.state)
        assert (
            f"{name}: Ctrl-C while the canary {entry.canary_revision} was being deployed; "
            "cleaned up" in line
        ), err
    assert not list((journal.directory / "locks").glob("*.lock"))
    for name in names(5):
        now = sandbox.service(project(world5), name)
        assert [(t.type_, t.percent, t.tag) for t in now.traffic] == [
            (t.type_, t.percent, t.tag) for t in before[name].traffic
        ], name
        assert now.template.containers == before[name].template.containers, name
    for name in names(5)[3:]:
        assert writes(list(sandbox.calls), name) == [], name


def test_a_second_ctrl_c_stops_every_cleanup_and_each_keeps_its_lock(world5: World) -> None:
    """Concurrency 3, Ctrl-C while the three canaries deploy, then a second one while their
    three cleanups' own deploys wait: each cleanup stops (not only the last one started),
    each unfinished change keeps its lock and its journal state, and `drift rollback`
    takes them over and restores every service."""
    env = {**world5.env, "DRIFT_CONCURRENCY": "3"}
    sandbox, where = world5.sandbox, world5.where
    before = {n: sandbox.service(project(world5), n) for n in names(3)}
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000))  # no deploy ever ends
    sandbox.clear_calls()
    proc = start(FIX, env, where)

    def count(method: str) -> int:
        return sum(c.short == method for c in sandbox.calls)

    deadline = time.monotonic() + 60
    while count("GetOperation") < 3:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    code, _, err = interrupt_when(proc, lambda: count("GetOperation") >= 6, signal.SIGINT)
    assert code == 4, err
    journal = Journal(where / ".drift" / "journal")
    entries = {e.service: e for e in journal.entries()}
    assert sorted(entries) == names(3), err
    line = err.strip().splitlines()[-1]
    for name, entry in entries.items():
        assert entry.state == State.CLEANING_UP, (name, entry.state)
        (lock,) = (journal.directory / "locks").glob(f"*--services--{name}*.lock")
        assert f"drift keeps its lock {lock}: `drift rollback {entry.change_id}`" in line, err
    sandbox.clear_faults()
    done = drift("rollback", "--yes", env=env, cwd=where)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in names(3):
        after = sandbox.service(project(world5), name)
        assert after.template.containers == before[name].template.containers, name
    assert not list((journal.directory / "locks").glob("*.lock"))


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


def test_ctrl_c_after_others_were_promoted_ends_as_a_no(world5: World) -> None:
    """revown25 3: Ctrl-C while svc-0001 still deploys its canary, after the four others
    were promoted, exited 4 ("aborted safely … nothing changed") with no re-check. As one at
    a time (and as a "no" at a prompt): svc-0001 cleaned up, what moved said, the re-check
    run, exit 1 (the cleaned-up service still drifts)."""
    env = {**world5.env, "DRIFT_CONCURRENCY": "2"}
    sandbox, where = world5.sandbox, world5.where
    sandbox.inject(
        Fault("UpdateService", None, latency_ms=60_000, first_n=1, match="/services/svc-0001")
    )
    journal = Journal(where / ".drift" / "journal")
    proc = start(FIX, env, where)

    def others_promoted() -> bool:
        states = (
            {e.service: e.state for e in journal.entries()} if journal.directory.is_dir() else {}
        )
        return sum(s == State.PROMOTED for s in states.values()) >= 4

    code, out, err = interrupt_when(proc, others_promoted, signal.SIGINT)
    states = {e.service: e.state for e in journal.entries()}
    said = out + err
    assert code == 1, f"exit {code}; {states}\n{said}"
    assert states["svc-0001"] == State.CLEANED_UP, states
    assert "partial fix" in said, said
    for name in names(5):
        if name != "svc-0001":
            assert f"{name}: traffic moved to" in said, said


def test_second_ctrl_c_cutting_a_cleanup_after_others_were_promoted_says_the_kept_lock(
    world5: World,
) -> None:
    """Concurrency 2: svc-0001's writes hang; the four others are promoted; Ctrl-C starts
    svc-0001's cleanup, whose restoring write hangs too (journal: cleaning-up); a second
    Ctrl-C cuts it. The routing of svc-0001 is then not known and its lock is kept (as
    `test_a_second_ctrl_c_stops_every_cleanup_and_each_keeps_its_lock`): drift must stop at
    once and say so (`drift keeps its lock …: drift rollback CHANGE`), as one at a time does.
    `_as_a_no` counted `cleaning-up` as "not changed, not cut", turned the two Ctrl-C into a
    "no", ran a full re-check and exited 1, never saying the lock is kept (revown26 1)."""
    env = {**world5.env, "DRIFT_CONCURRENCY": "2"}
    sandbox, where = world5.sandbox, world5.where
    sandbox.inject(
        Fault("UpdateService", None, latency_ms=60_000, after=True, match="/services/svc-0001")
    )
    journal = Journal(where / ".drift" / "journal")
    proc = start(FIX, env, where)

    def states() -> dict[str, str]:
        if not journal.directory.is_dir():
            return {}
        return {e.service: e.state for e in journal.entries()}

    deadline = time.monotonic() + 90
    while sum(s == State.PROMOTED for s in states().values()) < 4:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    code, out, err = interrupt_when(
        proc, lambda: states().get("svc-0001") == State.CLEANING_UP, signal.SIGINT
    )
    said = out + err
    final = states()
    assert final["svc-0001"] == State.CLEANING_UP, final
    (lock,) = (journal.directory / "locks").glob("*--services--svc-0001*.lock")
    assert f"drift keeps its lock {lock}" in said, f"exit {code}\n{said}"
    assert code == 4, f"exit {code}\n{said}"


def test_ctrl_c_after_a_bug_in_one_flow_still_raises_the_bug(
    world5: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Concurrency 3: svc-0000 promoted, svc-0001's flow ends with a bug of drift's (its
    canary left, its lock kept: 00ff20b), svc-0002 still deploying; then Ctrl-C (asyncio
    cancels the command's task). The cancellation ended as a "no" and the bug was dropped:
    svc-0001 reported a mere "aborted"; one at a time raises it (revown26 2)."""

    for key, value in world5.sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DRIFT_CONCURRENCY", "3")
    world5.sandbox.inject(
        Fault("UpdateService", None, latency_ms=60_000, first_n=1, match="/services/svc-0002")
    )
    journal, settings, profile = promotion_bug(world5, monkeypatch)
    ui = ScriptedUI()

    def states() -> dict[str, str]:
        if not journal.directory.is_dir():
            return {}
        return {e.service: e.state for e in journal.entries()}

    async def main() -> object:
        task = asyncio.ensure_future(run_fix(profile, settings, ui, FixOptions(yes=True)))
        for _ in range(600):
            now = states()
            if (
                now.get("svc-0000") == State.PROMOTED
                and now.get("svc-0001") == State.CANARY_READY
                and now.get("svc-0002") == State.CANARY_DEPLOYING
            ):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # the consumer has taken svc-0001's bug, waits on svc-0002
        task.cancel()  # asyncio's first Ctrl-C
        return await task

    with pytest.raises(RuntimeError):
        result = asyncio.run(main())
        pytest.fail(f"the bug was swallowed: {getattr(result, 'message', result)}")


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
