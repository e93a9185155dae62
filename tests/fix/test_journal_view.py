"""A year of journal (helper-726): `drift check`, `drift history` and `drift fix` read of the
journal only the entries they ask for (`drift.fix.journalview`): those of the changes whose
canaries they meet, and the newest of each workload a fix writes. What they are given is what
reading every entry gives of those changes, problems named; a fix's stops read the journal
again under its locks, and see what another drift wrote after the plan read it."""

from __future__ import annotations

import os
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix import apply
from drift.fix import journal as journal_module
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry, Journal, State
from drift.fix.journalview import JournalView, change_and_workloads, newest_of
from drift.fix.model import SettingChange
from drift.fix.recorded import written_levels
from drift.fix.served import canary_record
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import ScriptedUI
from tests.fix.test_held_here import HELD, held_here

NAME = "projects/p/locations/r/services/app"
OTHER = "projects/q/locations/r/services/app"  # another project's service of the same name
CHANGES = [f"2026{m:02d}{d:02d}-120000-{m * 100 + d:05x}" for m in (1, 2, 3) for d in range(1, 29)]


def _record(journal: Journal, change: str, full_name: str = NAME, state: str = State.PROMOTED,
            created: str = "") -> Entry:  # fmt: skip
    project, service = full_name.split("/")[1], full_name.rsplit("/", 1)[-1]
    entry = Entry(change, "prod", project, "r", service, full_name, "e", {}, "", "", [])
    entry.canary_revision, entry.created_at = f"{service}-drift-{change}", created or change
    journal.record(entry, state, "done")
    return entry


@pytest.fixture
def year(tmp_path: Path) -> Path:
    """A journal of 84 changes of `app`, one entry each; the 10th edited since (its checksum
    no longer matches), the 20th cut short (not an entry drift can read), and the 30th in an
    older drift's name (`CHANGE--app.json`)."""
    directory = tmp_path / "journal"
    journal = Journal(directory).open()
    for change in CHANGES:
        _record(journal, change)
    edited = directory / f"{CHANGES[10]}--service--app.json"
    edited.write_text(edited.read_text().replace('"e"', '"f"'))
    cut = directory / f"{CHANGES[20]}--service--app.json"
    cut.write_bytes(cut.read_bytes()[:100])
    older = directory / f"{CHANGES[30]}--service--app.json"
    older.rename(directory / f"{CHANGES[30]}--app.json")
    Path(f"{older}.sha256").rename(directory / f"{CHANGES[30]}--app.json.sha256")
    return directory


def _said(entries: Any) -> list[tuple[Any, ...]]:
    return [(e.identity, e.state, e.problem, e.unreadable, e.source) for e in entries]


def test_a_change_is_read_as_reading_every_entry_gives_it_problems_named(year: Path) -> None:
    every = Journal(year).entries()
    for change in (CHANGES[9], CHANGES[10], CHANGES[20], CHANGES[30], CHANGES[-1]):
        view = JournalView(year)
        assert _said(view.change(change)) == _said(e for e in every if e.change_id == change)
    (edited,) = JournalView(year).change(CHANGES[10])
    assert "does not match the checksum drift recorded: it was edited" in edited.problem
    (cut,) = JournalView(year).change(CHANGES[20])
    assert cut.unreadable and f"{CHANGES[20]}--service--app.json" in cut.problem, cut.problem
    assert JournalView(year).change("20260401-120000-00000") == []


def test_the_newest_entry_of_a_workload_is_its_latest_changes_trusted_one(year: Path) -> None:
    journal = Journal(year)
    # newer still: another project's `app`, and an entry of `app` edited since
    _record(journal, "20260501-120000-00001", OTHER)
    _record(journal, "20260501-120000-00002")
    edited = year / "20260501-120000-00002--service--app.json"
    edited.write_text(edited.read_text().replace('"e"', '"f"'))
    for entries in (JournalView(year), Journal(year).entries()):
        newest = newest_of(entries, "service", NAME)
        assert newest is not None and newest.change_id == CHANGES[-1], newest
        other = newest_of(entries, "service", OTHER)
        assert other is not None and other.change_id == "20260501-120000-00001", other
        assert newest_of(entries, "job", NAME) is None


def test_the_newest_entry_is_the_latest_change_not_the_latest_clock(tmp_path: Path) -> None:
    """A journal shared with a machine whose clock ran ahead: its change's entry says it was
    created after the change begun since here, whose id drift made later than every id in
    the journal (`new_change_id`): that change is the newest, as `drift rollback` takes it."""
    journal = Journal(tmp_path / "journal").open()
    _record(journal, "20261207-120000-00001", created="2026-12-08T09:00:00+00:00")
    _record(journal, "20261207-120000-00002", created="2026-12-07T12:00:01+00:00")
    for entries in (JournalView(journal.directory), journal.entries()):
        newest = newest_of(entries, "service", NAME)
        assert newest is not None and newest.change_id == "20261207-120000-00002"


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The entry files read from now on."""
    read: list[Path] = []
    real: Callable[[Path], bytes] = journal_module.entry_bytes

    def counted(path: Path) -> bytes:
        read.append(path)
        return real(path)

    monkeypatch.setattr(journal_module, "entry_bytes", counted)
    return read


def test_a_canary_record_reads_only_the_change_its_canary_names(
    year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = _counted(monkeypatch)
    record = canary_record(year)
    assert record("app-00001-abc") is None and read == []  # no canary of drift's: nothing read
    assert record(f"app-drift-{CHANGES[5]}") is True  # its promotion recorded: it served
    assert record.built_on("app", f"app-drift-{CHANGES[10]}") == ""  # edited: says nothing
    assert {p.name.split("--")[0] for p in read} == {CHANGES[5], CHANGES[10]}, read


def test_a_fix_reads_the_changes_its_stop_names_and_again_under_its_locks(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A canary held by `--no-promote` stops the next fix; a journal of other changes of the
    service besides it is not read. Between the plan's read and the fix's locks another drift
    records the held change as a fix that stopped at its canary: the stop says what the
    journal holds then, not what the plan read."""
    sandbox, change = held_here(make_sandbox, tmp_path, monkeypatch)
    journal = Journal(tmp_path / ".drift" / "journal")
    (held,) = journal.entries()
    for older in CHANGES:  # a year of the service's changes, promoted
        copy = deepcopy(held)
        copy.change_id, copy.source, copy.canary_revision = older, "", f"app-drift-{older}"
        journal.record(copy, State.PROMOTED, "older")
    read = _counted(monkeypatch)
    landed_on = apply.landed_on

    def meanwhile(*args: Any) -> Any:  # after the plan, before the locks
        if held.state == State.PINNED:
            journal.record(held, State.CANARY_READY, "another drift, meanwhile")
        return landed_on(*args)

    monkeypatch.setattr(apply, "landed_on", meanwhile)
    ui = ScriptedUI()
    stopped = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(yes=True), monkeypatch)
    assert stopped.exit_code is ExitCode.ABORTED, stopped.summary()
    (plan,) = ui.plans
    assert [HELD in s.stops for s in plan.services] == [True], plan.services  # as read first
    left = f"the canary app-drift-{change} of change {change}, left by a fix that did not finish"
    assert f"{left}: canary-ready)" in stopped.message, stopped.message  # as read again
    assert HELD not in stopped.message, stopped.message
    assert {p.name.split("--")[0] for p in read} == {change}, sorted(read)


def test_a_read_again_takes_only_what_is_as_read_and_sees_every_change(year: Path) -> None:
    """`drift rollback` reads the journal again under its locks: an entry whose bytes (and
    checksum file) are as first read is taken as read; one another drift recorded since, one
    edited since (its mtime put back: never trusted), one whose checksum file went, each is
    read again and says so."""
    journal = Journal(year)
    first = journal.entries()
    by_change = {e.change_id: e for e in first}
    theirs = deepcopy(by_change[CHANGES[40]])  # another drift's record of the same entry
    Journal(year).record(theirs, State.ROLLED_BACK, "rolled back, meanwhile")
    edited = year / f"{CHANGES[41]}--service--app.json"
    stat = edited.stat()
    edited.write_text(edited.read_text().replace('"e"', '"x"'))
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    Path(f"{year / CHANGES[42]}--service--app.json.sha256").unlink()
    journal.again = first
    again = {e.change_id: e for e in journal.entries()}
    assert again[CHANGES[40]].state == State.ROLLED_BACK, again[CHANGES[40]]
    assert "it was edited" in again[CHANGES[41]].problem, again[CHANGES[41]]
    assert "has no checksum" in again[CHANGES[42]].problem, again[CHANGES[42]]
    changed = {CHANGES[40], CHANGES[41], CHANGES[42]}
    for change, entry in again.items():  # the rest as read, problems named as before
        assert (entry is by_change[change]) is (change not in changed and not entry.problem)
    assert _said(again.values()) == _said(Journal(year).entries())


def test_a_fix_writes_a_minimum_where_the_latest_change_found_it_not_the_latest_clock(
    tmp_path: Path,
) -> None:
    """Where the service held a minimum when drift last read it, a fix writes it there
    (helper-700 F3): last as the changes' ids order them. A change made on a machine whose
    clock ran ahead found one at the service; the change begun after it here found none: a
    minimum is written at the revision, as the service is now (main: at the service, the
    older change's entry taken by its clock)."""
    journal = Journal(tmp_path / "journal").open()
    ahead = _record(journal, "20261207-120000-00001", created="2026-12-08T09:00:00+00:00")
    ahead.service_before = {"scaling": {"minInstanceCount": 3}}
    journal.record(ahead, State.PROMOTED, "its service held a minimum")
    _record(journal, "20261207-120000-00002", created="2026-12-07T12:00:01+00:00")
    source = run_v2.Service(name=NAME)
    wanted = [SettingChange("min_instances", 0, 2)]
    for entries in (journal.entries(), JournalView(journal.directory)):
        assert written_levels(source, wanted, entries, NAME) == ((), ()), entries


def test_a_rollback_of_a_change_reads_its_files_and_its_workloads_alone(year: Path) -> None:
    """`drift rollback CHANGE` judges the change against every later change of its workloads
    (`drift.fix.since`): it reads the files of the change and of its workloads, an older
    drift's names and entries refused since included; another service's are not read. A
    change with no file here, or one that cannot be read, reads every file (what it says
    names the others)."""
    journal = Journal(year)
    for change in CHANGES[:5]:  # another service's changes
        _record(journal, change, "projects/p/locations/r/services/web")
    named = change_and_workloads(year, CHANGES[40])  # of app alone
    assert named is not None
    taken = {p.name for p in year.glob("*.json") if named(p.name)}
    assert taken == {p.name for p in year.glob("*.json") if p.name.endswith("app.json")}, taken
    assert {e.change_id for e in Journal(year, named).entries()} == set(CHANGES)  # 10, 20: named
    for unread in (CHANGES[20], "20260401-120000-00000"):
        assert change_and_workloads(year, unread) is None
