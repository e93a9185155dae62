"""`drift fix --yes` on many services, interrupted (the Ctrl-C half of
test_fix_yes_concurrent.py, in a file of its own so that two workers share the two): Ctrl-C
cancels every flow in flight, each cleaned up as a single one is; a second Ctrl-C stops every
cleanup and each keeps its lock; a Ctrl-C after others were promoted ends as a no; a bug in one
flow is still raised. Judged by the sandbox's calls and the journal, never by wall time."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from drift.fix.apply import FixOptions, run_fix
from drift.fix.journal import Journal, State
from drift.sandbox import Fault
from tests.cliutil import drift
from tests.fix.conftest import ScriptedUI
from tests.fix.test_fix_yes_concurrent import FIX, names, project, promotion_bug, writes
from tests.reliability.test_interruption import interrupt_when, start
from tests.rounds import World


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
    exit 3 (their writes' outcomes unknown: a canary may be left pinned, never 4 "nothing
    changed"), each unfinished change keeps its lock and its journal state, and `drift rollback`
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
    assert code == 3, err  # each cleanup's write sent, its outcome unknown (helper-661 B4)
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
    assert code == 3, f"exit {code}\n{said}"  # its cleanup's outcome unknown (helper-661 B4)


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
