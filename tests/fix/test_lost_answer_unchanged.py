"""task 831 (note68 §9 Q1): a write drift sent whose answer was lost (DEADLINE_EXCEEDED,
UNAVAILABLE, CANCELLED: the sandbox's fault before the call is carried out) and whose workload
then reads back unchanged. Nothing documented says such a request can no longer land
(google/rpc/code.proto DEADLINE_EXCEEDED: "this error may be returned even if the operation
has completed successfully"; grpc.io Deadlines: "the client giving up on a particular RPC does
not mean that the server will stop processing the request"; run v2's update requests carry no
request_id), and it carries the very etag the workload still has: `drift.fix.lost_answer`.

So it is "not known" — exit 3, the entry left as begun, the lock kept, `drift rollback CHANGE`
named — never "nothing was changed" (exit 4, lock freed, journaled aborted), which left a late
landing recorded as a change that never happened. `drift rollback` of such an entry puts back
what landed, or, the workload still as before, says nothing was applied and ends the change.
Each attempt refused by the server stays exit 4 (`ApiError.refused_each`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.cliutil import drift_on
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, entries
from tests.fix.test_inplace_lost_answer_stage import ALL, LOAD_BALANCER, SOLO
from tests.jobs.test_fix_jobs import fix, journal, lab  # noqa: F401  (fixture)
from tests.timewarp import warp_sessions

UNCHANGED = "reads back unchanged"


def said(done: object) -> str:
    return " ".join((getattr(done, "stdout", "") + getattr(done, "stderr", "")).split())


def test_an_update_in_place_lost_and_unchanged_is_not_known_and_may_land_late(
    sandbox: Sandbox, clients: Clients, tmp_path: Path
) -> None:
    """A service's update in place (its ingress), every attempt's answer lost before the
    server took it: exit 3, `updating`, the lock kept. The lost request then lands (sent again
    as it was: its etag is still the service's), and `drift rollback` puts back what was."""
    sandbox.inject(Fault("UpdateService", "DEADLINE_EXCEEDED"))
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    text = said(done)
    (entry,) = entries(tmp_path)
    assert done.returncode == ExitCode.INCOMPLETE, text
    assert "nothing was changed" not in text and UNCHANGED in text, text
    assert f"`drift rollback {entry.change_id}`" in text, text
    assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None, entry.history
    assert sandbox.service(PROJECT, "api").ingress == ALL
    again = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")  # its lock is kept
    assert again.returncode == ExitCode.ABORTED and entry.change_id in said(again), said(again)
    sandbox.clear_faults()
    (lost, *_) = [c.request for c in sandbox.calls if c.short == "UpdateService"]
    clients.services.update_service(request=lost).result(timeout=10)  # it lands, late
    assert sandbox.service(PROJECT, "api").ingress == LOAD_BALANCER
    back = drift_on(sandbox, tmp_path, SOLO, "rollback", "--yes")
    assert back.returncode == ExitCode.OK, said(back)
    assert sandbox.service(PROJECT, "api").ingress == ALL
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK, entry.history


def test_a_refused_update_in_place_is_still_nothing_changed(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Each attempt refused by the server (`ApiError.refused_each`): nothing was written,
    whatever it reads back: exit 4, journaled aborted, its lock freed."""
    sandbox.inject(Fault("UpdateService", "PERMISSION_DENIED"))
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    (entry,) = entries(tmp_path)
    assert done.returncode == ExitCode.ABORTED and "nothing was changed" in said(done)
    assert entry.state == State.ABORTED and entry.writes[-1]["landed"] is False


@pytest.mark.parametrize(
    ("method", "code"), [("UpdateJob", "UNAVAILABLE"), ("UpdateWorkerPool", "CANCELLED")]
)
def test_a_job_or_pool_lost_and_unchanged_is_not_known_then_rollback_ends_it(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    code: str,
) -> None:
    """A job's or pool's update, every answer lost: exit 3, `updating`, the lock kept; its
    `drift rollback`, finding it as before, writes nothing, says drift's update never applied
    (never "restored nothing; already as before") and ends the change."""
    sandbox, profiles = lab
    warp_sessions(monkeypatch)  # the backoffs of its retries pass at once
    kind = "job" if method == "UpdateJob" else "worker_pool"
    sandbox.inject(Fault(method, code))
    result = fix(tmp_path, profiles, ScriptedUI([True]), yes=True)
    text = " ".join(result.summary().split())
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == kind]
    # the other workload's update landed: a partial fix, 1 before 3 (`context.abort_code`)
    assert result.exit_code is ExitCode.DRIFT and "partial fix" in text, text
    assert f"{entry.service}: aborted (updating)" in text, text
    assert f"{code}" in text and UNCHANGED in text and "nothing was changed" not in text, text
    assert f"`drift rollback {entry.change_id}`" in text, text
    assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None, entry.history
    sandbox.clear_faults()
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True))
    summary = " ".join(done.summary().split())
    assert done.exit_code is ExitCode.OK, summary
    assert "restored nothing" not in summary, summary
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == kind]
    assert entry.state == State.ROLLED_BACK, entry.history
    assert "drift's update never applied" in entry.history[-1]["note"], entry.history


def test_a_rollback_lost_and_unchanged_is_not_known(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rollback's restoring write of a job, every answer lost: exit 3, `rolling-back`,
    the lock kept, never "failed"; run again, it restores the job."""
    sandbox, profiles = lab
    warp_sessions(monkeypatch)
    job_before = sandbox.job("p", "job")
    assert fix(tmp_path, profiles, ScriptedUI([True]), yes=True).exit_code is ExitCode.OK
    sandbox.inject(Fault("UpdateJob", "DEADLINE_EXCEEDED"))
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    (change,) = {e.change_id for e in journal(tmp_path).entries()}
    done = asyncio.run(run_rollback(settings, ScriptedUI(), change, yes=True))
    summary = " ".join(done.summary().split())
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    assert done.exit_code is ExitCode.INCOMPLETE, summary
    assert UNCHANGED in summary and "drift keeps its lock" in summary, summary
    assert entry.state == State.ROLLING_BACK, entry.history
    sandbox.clear_faults()
    again = asyncio.run(run_rollback(settings, ScriptedUI(), change, yes=True))
    assert again.exit_code is ExitCode.OK, again.summary()
    restored = sandbox.job("p", "job")
    assert (
        restored.template.template.containers[0].env
        == job_before.template.template.containers[0].env
    )
