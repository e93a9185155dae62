"""helper-817 K2, K3, K5: a job's update in place whose answer is refused or lost, with a
teammate's writes around it — theirs setting the very value drift's update sets (NEEDED=x, what
the profile asks). The job read back then holds each change drift sent two generations on,
which `drift.fix.theirs_too` took for "it landed":

- K2: a server that checks the etag (AIP-154: "the service must send an ABORTED error
  response") refused drift's only attempt: nothing of drift's was written, whatever the job
  holds. It was "ABORTED, yet … it landed", journaled landed, and `rollback --force` then
  removed NEEDED=x, which drift never wrote. Now: nothing was changed, exit 4, aborted.
- a refusal of a retry (an attempt before it whose answer was lost may have landed): not
  known, exit 3, the entry left `updating` — never "it landed".
- K5: drift's UpdateJob never reached the server (UNAVAILABLE, no UpdateJob seen by it): what
  drift sent is live, by whose write is not proven — said so, never "it landed" as a fact.
- K3: a server that lets a stale etag through: theirs, drift's write replacing it, theirs
  again: "theirs stands" was false (THEIRS=1 is gone) and is no longer said."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport

import drift.fix.workload
from drift.errors import ApiError, ExitCode
from drift.fix.journal import Entry, State
from drift.fix.rollback import run_rollback
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import env, fix, journal, lab  # noqa: F401  (fixture)

SAME = {"NEEDED": "x"}  # theirs: the value drift's update sets
THEIRS = {"THEIRS": "1"}
Lab = tuple[Sandbox, Path]


@pytest.fixture
def job_lab(lab: Lab) -> Lab:  # noqa: F811
    """`lab`: the job `job` (and worker pool `pool`), the profile asking NEEDED=x of it."""
    return lab


NOT_PROVEN = "what drift sent is live — by drift's write or someone else's: not proven which"


def around_drifts_update(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    before: list[dict[str, str]],
    after: list[dict[str, str]],
    sent: bool = True,
    lost: str = "UNAVAILABLE",
) -> list[str]:
    """Around drift's job update: their `before` writes, drift's UpdateJob (`sent`, or never
    sent), their `after` writes; drift's answer the server's refusal, else `lost` in its
    place. Returns the statuses drift's update was answered."""
    real = drift.fix.workload.update_workload
    answers: list[str] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if "/jobs/" not in request.name or answers or kw.get("validate_only"):
            return await real(session, kind, request, **kw)
        for theirs in before:
            sandbox.update_job("p", "job", env=theirs)
        try:
            if sent:
                await real(session, kind, request, **kw)
            raise ApiError("UpdateJob", request.name, lost, "its answer was lost")
        except ApiError as exc:
            answers.append(exc.status)
            for theirs in after:
                sandbox.update_job("p", "job", env=theirs)
            raise

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    return answers


def kept_sent(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each request drift's updates send, kept (for one to land late: `land_late`)."""
    around, sent = drift.fix.workload.update_workload, []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        sent.append(request)
        return await around(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    return sent


def land_late(sandbox: Sandbox, sent: list[Any]) -> None:
    """drift's one job update of `sent`, carried out now (a server letting its stale etag
    through: sandbox option `stale_etag: ignored`)."""
    (late,) = [r for r in sent if "/jobs/" in r.name]
    with grpc.insecure_channel(sandbox.address) as channel:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        jobs.update_job(job=late).result(timeout=10)


def fixed(tmp_path: Path, profiles: Path) -> tuple[ExitCode, str, Entry]:
    """`drift fix`, confirmed: its exit code, its words and the job's journal entry."""
    result = fix(tmp_path, profiles, ScriptedUI([True]))
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    return result.exit_code, " ".join(result.summary().split()), entry


def rollback(tmp_path: Path, entry: Entry, force: bool = False) -> tuple[ExitCode, str]:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True, force=force))
    return done.exit_code, " ".join(done.summary().split())


def names(sandbox: Sandbox) -> dict[str, str]:
    return {name: value for name, value, _ in env(sandbox.job("p", "job"))}


def test_its_only_attempt_refused_for_its_etag_never_landed(
    job_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, profiles = job_lab
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "aborted")
    answers = around_drifts_update(sandbox, monkeypatch, [SAME], [THEIRS])
    code, text, entry = fixed(tmp_path, profiles)
    assert answers == ["ABORTED"]  # refused for its etag: nothing of drift's written
    assert code == ExitCode.ABORTED, text
    assert "drift's update did not land; nothing was changed" in text, text
    assert "it landed" not in text and "updated in place" not in text, text
    assert entry.state == State.ABORTED and entry.writes[-1]["landed"] is False, entry.writes
    assert rollback(tmp_path, entry, force=True) == (
        ExitCode.OK,
        f"change {entry.change_id}: nothing left to roll back",
    )
    assert names(sandbox) == {"MODE": "live", "TOKEN": "", "NEEDED": "x", "THEIRS": "1"}


def test_a_refusal_after_an_answer_lost_is_not_known(
    job_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ABORTED not on each attempt (`ApiError.refused_each` false): a retry's, refused for the
    etag an earlier attempt, its answer lost, may have moved by landing."""
    sandbox, profiles = job_lab
    around_drifts_update(sandbox, monkeypatch, [SAME, THEIRS], [], sent=False, lost="ABORTED")
    code, text, entry = fixed(tmp_path, profiles)
    assert code == ExitCode.INCOMPLETE, text
    assert "drift's update may have landed before that" in text, text
    assert "which write came first is not known" in text, text
    assert "it landed" not in text and NOT_PROVEN not in text, text
    assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None, entry.writes


def test_never_sent_and_theirs_set_the_same_is_not_said_to_have_landed(
    job_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job holds the plan's change (the re-check's exit code: 0), by whose write is not
    proven; journaled at the generation after drift's read, so the rollback still refuses
    their write since unless `--force`."""
    sandbox, profiles = job_lab
    around_drifts_update(sandbox, monkeypatch, [SAME, THEIRS], [], sent=False)
    code, text, entry = fixed(tmp_path, profiles)
    assert "UpdateJob" not in [c.short for c in sandbox.calls]  # drift's never reached it
    assert code == ExitCode.OK, text
    assert NOT_PROVEN in text and "it landed" not in text, text
    assert entry.state == State.UPDATED and entry.writes[-1]["generation_after"] == 2
    refused, said = rollback(tmp_path, entry)
    assert refused == ExitCode.ABORTED and "--force" in said, said


def test_a_stale_write_between_two_of_theirs_never_says_theirs_stands(
    job_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, profiles = job_lab
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    around_drifts_update(sandbox, monkeypatch, [THEIRS], [{"OTHER": "2"}])
    _, text, _ = fixed(tmp_path, profiles)
    assert "THEIRS" not in names(sandbox)  # drift's stale write replaced their first
    assert "theirs stands" not in text and NOT_PROVEN in text, text


DENIED = Fault("UpdateJob", "PERMISSION_DENIED", first_n=1)
LOST_THEN_DENIED = [  # its first attempt never applied, its answer lost; its retry denied
    Fault("UpdateJob", "UNAVAILABLE", first_n=1),
    Fault("UpdateJob", "PERMISSION_DENIED", first_n=2),  # each fault counts every call
]


@pytest.mark.parametrize(
    ("faults", "each"), [([DENIED], True), (LOST_THEN_DENIED, False)], ids=["denied", "retry"]
)
def test_refused_each_is_a_refusal_of_every_attempt_sent(
    job_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, faults: list[Fault], each: bool
) -> None:
    """`ApiError.refused_each`, what `_failed` judges first: a refusal of the only attempt;
    never a retry's refusal after an attempt whose answer was lost (UNAVAILABLE). The job read
    back unchanged (generation 1): with each attempt refused nothing was written, exit 4;
    after an answer lost it proves nothing — that attempt may still land (task 831): exit 3,
    the entry left `updating`, its lock kept."""
    sandbox, profiles = job_lab
    real = drift.fix.workload.update_workload
    seen: list[bool] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        try:
            return await real(session, kind, request, **kw)
        except ApiError as exc:
            seen.append(exc.refused_each)
            raise

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    for fault in faults:
        sandbox.inject(fault)
    code, text, entry = fixed(tmp_path, profiles)
    codes = [c.code for c in sandbox.calls if c.short == "UpdateJob"]
    assert codes == [f.code for f in faults] and seen == [each], (codes, seen)
    if each:
        assert code == ExitCode.ABORTED and "nothing was changed" in text, text
        assert entry.state == State.ABORTED, entry.history
    else:
        assert code == ExitCode.INCOMPLETE and "nothing was changed" not in text, text
        assert "its retry was refused" in text and "reads back unchanged" in text, text
        assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None


def test_lost_with_their_write_alone_one_generation_on_is_not_known(
    job_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Task 841: drift's update, its answer lost (UNAVAILABLE, not the server's refusal),
    and the job read back one generation on with their write alone (THEIRS=1, no NEEDED=x).
    It was "drift's update did not land; nothing was changed", exit 4, journaled aborted and
    its lock freed; but their write changing the etag proves no refusal of drift's request
    (run v2's etag "May be used to detect modification conflict"): it may still land over
    theirs. Not known: exit 3, `updating`, the lock kept, `drift rollback` named — which then
    refuses unforced over their write."""
    sandbox, profiles = job_lab
    around_drifts_update(sandbox, monkeypatch, [THEIRS], [], sent=False)
    code, text, entry = fixed(tmp_path, profiles)
    assert code == ExitCode.INCOMPLETE, text
    assert "nothing was changed" not in text and "did not land" not in text, text
    assert "someone else's write alone" in text, text
    assert f"`drift rollback {entry.change_id}`" in text, text
    assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None, entry.writes
    assert names(sandbox).get("THEIRS") == "1" and "NEEDED" not in names(sandbox)
    refused, said = rollback(tmp_path, entry)
    assert refused == ExitCode.ABORTED and "--force" in said, said


def test_lost_with_two_writes_of_theirs_putting_back_what_ran_is_not_known(
    job_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Task 847: drift's update, its answer lost before the server took it, and two writes of
    theirs that leave the job as it was (THEIRS=1 set, then removed: `already_back`). It was
    "nothing of drift's runs": journaled aborted, exit 4, the lock freed — while drift's
    request may still land over theirs (no documented refusal of a stale etag, two writes old
    or one). Not known: exit 3, `updating`, the lock kept; the request lands late, and
    `drift rollback --force` puts back what ran."""
    sandbox, profiles = job_lab
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    around_drifts_update(sandbox, monkeypatch, [THEIRS, {"THEIRS": None}], [], sent=False)
    sent = kept_sent(monkeypatch)
    before = names(sandbox)
    code, text, entry = fixed(tmp_path, profiles)
    assert code == ExitCode.INCOMPLETE, text  # was 4
    assert "drift's update may have landed before that" in text, text
    assert "and drift's update may land over theirs yet: `drift rollback " in text, text
    assert "nothing was changed" not in text and "drift wrote nothing more" not in text, text
    assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None, entry.history
    refused, said = rollback(tmp_path, entry)  # their writes since: refused unforced
    assert refused == ExitCode.ABORTED and "--force" in said, said
    locks = list((journal(tmp_path).directory / "locks").glob("*.lock"))
    assert locks, "lock freed"
    assert names(sandbox) == before and "NEEDED" not in before
    assert "UpdateJob" not in [c.short for c in sandbox.calls]  # it never reached the server
    land_late(sandbox, sent)
    assert names(sandbox)["NEEDED"] == "x"  # it landed late, over theirs
    forced, said = rollback(tmp_path, entry, force=True)
    assert forced == ExitCode.OK, said
    assert names(sandbox) == before


def test_a_lost_update_landing_after_its_forced_rollback_is_rolled_back_again(
    job_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Task 860: drift's update, its answer lost, with their write alone since (exit 3,
    `updating`); `drift rollback --force` puts back what ran, and the lost request then lands
    late (a server letting its stale etag through: run v2's etag "May be used to detect
    modification conflict"). The entry said `rolled-back` and a later `drift rollback CHANGE`
    said "nothing left to roll back", exit 0, with NEEDED=x live. Now the forced rollback says
    the lost update may still land, and the later one reads the job: the late write is
    drift's own, recorded landed, and rolled back again; once more, nothing is left."""
    sandbox, profiles = job_lab
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    around_drifts_update(sandbox, monkeypatch, [THEIRS], [], sent=False)
    sent = kept_sent(monkeypatch)
    before = names(sandbox)
    code, text, entry = fixed(tmp_path, profiles)
    assert code == ExitCode.INCOMPLETE and entry.state == State.UPDATING, text
    forced, said = rollback(tmp_path, entry, force=True)
    assert forced == ExitCode.OK, said
    assert (
        f"job job: drift's update of change {entry.change_id}, whose answer was lost, may still "
        f"land over this rollback (a server may carry out a request whose answer was lost): "
        f"`drift rollback {entry.change_id}` reads it again" in said
    ), said
    assert "NEEDED" not in names(sandbox)
    land_late(sandbox, sent)
    assert names(sandbox)["NEEDED"] == "x"  # it landed late, over the rollback
    again, said = rollback(tmp_path, entry)  # unforced: drift's own write
    assert again == ExitCode.OK, said  # was: "nothing left to roll back" with NEEDED=x live
    assert "nothing left to roll back" not in said and "restored job job" in said, said
    assert names(sandbox) == before and "NEEDED" not in before
    (done,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    assert done.state == State.ROLLED_BACK, done.history
    assert [(w["step"], w["landed"]) for w in done.writes] == [
        ("update", None),
        ("rollback", True),
        ("update", True),  # the late landing, recorded
        ("rollback", True),
    ], done.writes
    assert "landed after its rollback" in " ".join(h["note"] for h in done.history)
    last, said = rollback(tmp_path, entry)
    assert last == ExitCode.OK and "nothing left to roll back" in said, said
