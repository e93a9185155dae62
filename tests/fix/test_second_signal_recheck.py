"""revcrash2 finding 1: `drift fix --yes`, concurrent and one service after
another, a Ctrl-C after four services were promoted (ended as a "no": the held one cleaned up,
then a re-check), then a second Ctrl-C or a SIGTERM (a CI runner's cancel) during that re-check. The
fix printed asyncio's "unhandled exception during asyncio.run() shutdown" with a traceback
and ended with "interrupted: nothing was changed" (exit 4), while four services serve the
patched revision (journal: promoted). Also see /work/notes/repro/revcrash2/recheck.py."""

from __future__ import annotations

import signal
import time

import pytest

from drift.fix.journal import Journal, State
from drift.sandbox import Fault
from tests.fix.test_fix_yes_concurrent import FIX
from tests.reliability.test_interruption import start
from tests.rounds import World


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM])
def test_second_signal_during_the_recheck_after_a_ctrl_c_as_a_no(
    world5: World,  # noqa: F811
    second: int,
) -> None:
    """Concurrent (one service after another: test_second_signal_recheck_serial.py, a file of
    its own so that `--dist loadfile` runs the two halves on two workers)."""
    second_signal_during_the_recheck(world5, second, "2", "svc-0001")


def second_signal_during_the_recheck(
    world: World, second: int, concurrency: str, held: str
) -> None:
    env = {**world.env, "DRIFT_CONCURRENCY": concurrency}
    sandbox, where = world.sandbox, world.where
    sandbox.inject(
        Fault("UpdateService", None, latency_ms=60_000, first_n=1, match=f"/services/{held}")
    )
    journal = Journal(where / ".drift" / "journal")
    proc = start(FIX, env, where)
    deadline = time.monotonic() + 120

    def states() -> dict[str, str]:
        if not journal.directory.is_dir():
            return {}
        return {e.service: e.state for e in journal.entries()}

    while sum(s == State.PROMOTED for s in states().values()) < 4:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # the re-check is slow: each of its reads (ListSecrets, GetSecretVersion) takes 2.5 s, and
    # the signal below lands 0.5 s into the third call since the Ctrl-C, 2 s before it answers
    # (the test sees that call within a 0.05 s poll: 40x that). Every call after the Ctrl-C
    # pays it, one after another (the held one's cleanup, then the re-check's): from the
    # Ctrl-C to the second signal, 9 s (concurrent) and 17 s (one after another) at 8 s a
    # call, 5 s and 9 s at 4 s, about 3 s and 5.5 s at 2.5 s.
    sandbox.inject(Fault("*", None, latency_ms=2_500))
    calls = len(sandbox.calls)
    proc.send_signal(signal.SIGINT)  # a "no": the held one cleaned up, then the re-check
    while len(sandbox.calls) <= calls + 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)  # in the re-check's reads
    proc.send_signal(second)
    out, err = proc.communicate(timeout=60)
    said = out + err
    code = proc.returncode
    promoted = [n for n, s in states().items() if s == State.PROMOTED]
    assert len(promoted) == 4, states()
    assert "Traceback" not in said, said[-3000:]
    assert "nothing was changed" not in said, said[-1500:]
    last = said.rsplit("drift: error", 1)[-1]
    for name in promoted:  # where each stands, as a single Ctrl-C says it
        assert f"{name}: the fix is complete" in last, said[-1500:]
    assert "re-check after the fix was cut short" in last, said[-1500:]
    if second == signal.SIGTERM:
        assert "SIGTERM" in last, said[-1500:]
    # written, then the re-check (whose code a fix ends with) was cut: incomplete, never the
    # "aborted safely, nothing changed" of 4
    assert code == 3, f"exit {code}\n{said[-1500:]}"
