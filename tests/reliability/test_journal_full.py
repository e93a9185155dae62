"""The journal's disk fills (ENOSPC, injected where drift writes a journal file) around a
write to the cloud: drift says what it wrote and what serves, never that a change was recorded
when it was not, exits 4 when nothing is left changed (3 when a write it could not record the
end of left the service changed: the journal is behind), and `drift rollback` run again once
the disk has room finishes the record from what the service says."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

import drift.fix.journalfiles
import drift.fix.restore
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, assert_serves_as_before, entries

NO_SPACE = os.strerror(errno.ENOSPC)


def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, no journal file can be written."""

    def atomic(target: Path, data: bytes, tag: str) -> Path:
        raise OSError(errno.ENOSPC, NO_SPACE)

    monkeypatch.setattr(drift.fix.journalfiles, "_staged", atomic)


def full_once_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while the restoration's write is in flight: it lands, the journal
    cannot record how it ended."""
    lab.after_each_write(monkeypatch, drift.fix.restore, lambda request: disk_full(monkeypatch))


def promoted(make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    return sandbox, before


def test_a_rollback_written_but_not_journaled_says_so_and_exits_4(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, before = promoted(make_sandbox, tmp_path, monkeypatch)
    with monkeypatch.context() as patched:
        full_once_written(patched)
        done = lab.rollback(tmp_path)
    text = done.summary()
    assert done.exit_code is ExitCode.ABORTED, text
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLING_BACK  # how the write ended is not recorded
    assert "app: the rollback was written and restored (LATEST 100% → " in text, text
    assert f"but cannot write the journal entry {lab.journal(tmp_path).file(entry)}" in text
    assert NO_SPACE in text and "the journal still says rolling-back" in text
    assert f"run `drift rollback {entry.change_id}` again" in text
    # one message: app was restored, only not recorded (helper-811 F2)
    assert "restored nothing" not in text and "not known" not in text, text
    assert "once it has settled" not in text, text
    assert list((lab.journal(tmp_path).directory / "locks").glob("*--services--app.lock"))
    assert_serves_as_before(sandbox, LAB, "app", before, entry.canary_revision)
    sandbox.clear_calls()
    again = lab.rollback(tmp_path, change_id=entry.change_id)
    assert again.exit_code is ExitCode.OK, again.summary()
    assert lab.updates(sandbox) == []  # it serves what served before: only recorded
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


def test_a_rollback_whose_journal_cannot_be_written_writes_nothing(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, _ = promoted(make_sandbox, tmp_path, monkeypatch)
    sandbox.clear_calls()
    with monkeypatch.context() as patched:
        disk_full(patched)
        done = lab.rollback(tmp_path)
    assert done.exit_code is ExitCode.ABORTED, done.summary()
    assert NO_SPACE in done.summary() and "nothing was written to app" in done.summary()
    assert lab.updates(sandbox) == []
    assert entries(tmp_path)[0].state == State.PROMOTED


def test_a_cleanup_written_but_not_journaled_says_so(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Declined at the promotion: the cleanup's write lands, the journal cannot record it.
    Never "nothing is left to roll back": the journal says otherwise; exit 3, incomplete (the
    journal is behind what the service holds), never 4 (helper-665's left item)."""
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    with monkeypatch.context() as patched:
        full_once_written(patched)
        ui = ScriptedUI([True, False])
        result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    assert result.exit_code is ExitCode.INCOMPLETE, result.summary()
    (outcome,) = result.outcomes
    assert "drift removed the canary's tag and restored the routing" in outcome.message
    assert "but cannot write the journal entry" in outcome.message and NO_SPACE in outcome.message
    assert "nothing is left to roll back" not in outcome.message
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANING_UP
    assert_serves_as_before(sandbox, LAB, "app", before, entry.canary_revision)
    assert lab.rollback(tmp_path).exit_code is ExitCode.OK
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


def test_nothing_is_said_recorded_when_no_entry_could_be_written(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock fits on the disk, the first journal entry does not: nothing was changed, and
    no "change … recorded in …" line claims otherwise."""
    sandbox = make_sandbox(lab.lab_world())
    with monkeypatch.context() as patched:
        disk_full(patched)
        result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    text = result.summary()
    assert result.exit_code is ExitCode.ABORTED, text
    assert NO_SPACE in text and "nothing was changed" in text
    assert "choose another journal with --journal DIR (or DRIFT_JOURNAL_DIR)" in text  # next step
    assert text.count("\n") == 0, text  # one line
    assert "recorded in" not in text
    assert lab.updates(sandbox) == [] and entries(tmp_path) == []
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))


@pytest.mark.parametrize("first", [False, True], ids=["update", "first entry"])
@pytest.mark.parametrize("failing", [1, 2, 3])
def test_a_record_cut_short_leaves_memory_and_files_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int, first: bool
) -> None:
    """The disk fills at one of a record's three files (checksum of both versions, the entry,
    checksum of the new one; seen for real on a 64 KiB tmpfs). Each is written whole before
    any is renamed into place, so nothing is recorded (JournalError, the write not begun) and
    the entry, its checksum and memory are as they were: drift said "nothing was changed" with
    the file saying canary-deploying; a first entry left its `.sha256` alone, an update left
    a checksum of two hashes beside the old entry (revkill60 F4); no temporary file stays."""
    import drift.files
    from drift.errors import JournalError
    from drift.fix.journal import Entry, Journal, Write
    from drift.fix.journalfiles import digest, sum_path

    journal = Journal(tmp_path).open()
    entry = Entry(
        "20261201-101500-ab12", "e2e", "p", "us-central1", "web",
        "projects/p/locations/us-central1/services/web", "e1", {"generation": "3"},
        "web-drift-ab12", "drift-ab12", ["env.A"],
    )  # fmt: skip
    if not first:
        journal.record(entry, State.PLANNED)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    calls = []
    create = drift.files.create

    def fills(partial: Path, mode: int) -> int:
        calls.append(partial)
        if len(calls) == failing:
            raise OSError(errno.ENOSPC, NO_SPACE)
        return create(partial, mode)

    monkeypatch.setattr(drift.files, "create", fills)
    with pytest.raises(JournalError, match=NO_SPACE):
        journal.begin(entry, State.CANARY_DEPLOYING, "", Write("canary", "e1", 3, "r", "k", []))
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no orphan, no .partial
    if first:
        assert Journal(tmp_path).entries() == []
        return
    (read,) = Journal(tmp_path).entries()
    assert (read.state, read.writes, read.history, read.problem) == (
        entry.state, entry.writes, entry.history, ""
    ), read  # fmt: skip
    assert read.state == State.PLANNED
    target = journal.file(entry)
    assert sum_path(target).read_text() == digest(target.read_bytes())  # one hash: the entry's


def test_a_promotion_over_someone_elses_write_not_journaled_says_what_serves(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that lets a stale etag through (`stale_etag: ignored`): a teammate's deploy
    lands just before drift's promotion, the promotion lands over it, and the disk is full
    when drift records that. The canary serves: drift never says it has no traffic or that
    traffic stays pinned."""
    import drift.fix.canary

    world = lab.lab_world()
    world["options"]["stale_etag"] = "ignored"
    sandbox = make_sandbox(world)
    real = drift.fix.canary.update_workload
    sent: list[object] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        sent.append(request)
        if len(sent) == 2:  # the promotion: their deploy first, then the disk fills
            sandbox.set_env(LAB, "app", "HOTFIX", "1")
            disk_full(monkeypatch)
        return await real(session, kind, request, **kw)

    with monkeypatch.context() as patched:
        patched.setattr(drift.fix.canary, "update_workload", update_workload)
        result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), patched)
        (outcome,) = result.outcomes
    monkeypatch.undo()
    assert len(sent) == 2, result.summary()
    told = outcome.message
    assert NO_SPACE in told, told
    assert "stays pinned" not in told and "no traffic" not in told, told
    canary = entries(tmp_path)[0].canary_revision
    assert f"The promotion to the canary {canary} was sent (the canary may serve)" in told, told
    assert "the journal still says promoting: once the journal is writable, `drift rollback" in told
    assert entries(tmp_path)[0].state == State.PROMOTING


def test_a_canary_written_but_not_journaled_keeps_its_lock(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills while the canary's write is in flight: it lands, the journal cannot
    record it. The change is unfinished (the canary there, the traffic pinned), so its lock
    stays, as after Ctrl-C, for `drift rollback` to take over; it was freed (revkill60 F3),
    and the next command no longer said which change holds the service. Nor is the change
    said "recorded" then. Nor does it exit 4, "nothing changed": the canary and its pin are
    there, the journal behind them, so the run is incomplete, 3 (helper-661 B3)."""
    import drift.fix.canary

    sandbox = make_sandbox(lab.lab_world())
    with monkeypatch.context() as patched:
        lab.after_each_write(patched, drift.fix.canary, lambda request: disk_full(patched))
        result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    text = result.summary()
    assert result.exit_code is ExitCode.INCOMPLETE, text
    assert "once the journal is writable, `drift rollback" in text, text
    # why it stopped, as `--format github` annotates it, though it exits 3, not 4
    assert [o.message for o in result.outcomes] == result.stopped(), result.stopped()
    # never "change … recorded in …" right after "cannot write the journal entry" (revkill60 F3)
    assert "recorded in" not in text and "could not record where it stands" in text, text
    assert list((tmp_path / ".drift" / "journal" / "locks").glob("*.lock")), text
    change = entries(tmp_path)[0].change_id
    again = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert again.exit_code is ExitCode.ABORTED, again.summary()
    assert change in again.summary() and len(lab.updates(sandbox)) == 1, again.summary()
    assert lab.rollback(tmp_path).exit_code is ExitCode.OK
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*.lock"))
