"""`drift rollback` reads the journal, then takes the workloads' locks: what another drift
command finished in between (a rollback of the same change, a fix on the same service — two
on-call engineers at once, or the reads of `--from-live` in between) must not be written over
nor undone unseen. The rollback judges the journal as it stands once it holds the locks."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import drift.fix.rollback
from drift.errors import ExitCode, JournalError, UsageError
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry, Journal, State
from drift.fix.lock import Locks
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    entries,
    fix,
    journal,
    lab_fix,
    lab_profiles,
    lab_world,
    rollback,
    settings,
    updates,
)
from tests.fix.test_killed_fix import aged, killed_after_the_canary_landed


def _between_read_and_lock(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], Any]) -> None:
    """The first `drift rollback` to take its locks runs `meanwhile` first (to its end, in
    another thread, as another process would): after its journal read, before its locks."""
    ran: list[bool] = []

    class Gap(Locks):
        def __enter__(self) -> Locks:
            if not ran:
                ran.append(True)
                out: list[BaseException] = []

                def other() -> None:
                    try:
                        meanwhile()
                    except BaseException as exc:  # noqa: BLE001 - raised again below
                        out.append(exc)

                thread = threading.Thread(target=other)
                thread.start()
                thread.join()
                if out:
                    raise out[0]
            return super().__enter__()

    monkeypatch.setattr(drift.fix.rollback, "Locks", Gap)


def _env(sandbox: Sandbox) -> dict[str, str]:
    return {c.name: c.value for c in sandbox.service(LAB, "app").template.containers[0].env}


@pytest.mark.parametrize("force", [False, True])
def test_a_rollback_of_the_same_change_finished_meanwhile_is_not_written_over(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    """Two engineers run `drift rollback A`; the second finishes while the first sits between
    its journal read and its lock. The first then finds A rolled back: it writes nothing, and
    the journal keeps the second's record (its history is not replaced by the stale copy).
    Before, it called the second's write someone else's change, and `--force` wrote again."""
    sandbox = make_sandbox(lab_world())
    a = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert a.exit_code is ExitCode.OK and a.change_id, a.summary()
    second: list[Any] = []
    _between_read_and_lock(
        monkeypatch, lambda: second.append((rollback(tmp_path), entries(tmp_path)[0].history))
    )
    first = rollback(tmp_path, force=force)
    ((done, recorded),) = second
    assert done.exit_code is ExitCode.OK and done.restored == ["app"], done.summary()
    (entry,) = entries(tmp_path)
    assert not entry.problem, entry.problem
    assert entry.state == State.ROLLED_BACK, entry.history
    assert entry.history == recorded  # the second's record, never the first's stale copy
    writes = len(updates(sandbox))
    assert first.exit_code is ExitCode.OK and first.restored == [], first.summary()
    assert first.skipped == ["app: already rolled back"], first.summary()
    assert len(updates(sandbox)) == writes
    assert _env(sandbox) == {"DEBUG": "true"}


def test_a_fix_finished_meanwhile_is_judged_as_drift_s_own_later_change(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift rollback A --force` reads the journal; a teammate's `drift fix` (change B) on the
    same service finishes before the rollback holds the lock. The forced rollback undoes B
    too: the journal must then record B as rolled back by A's rollback — else B looks live,
    and a plain `drift rollback` (B's) re-applies A's fix."""
    sandbox = make_sandbox(lab_world())
    a = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert a.exit_code is ExitCode.OK and a.change_id, a.summary()
    profile = lab_profiles(tmp_path) / "lab.yaml"
    profile.write_text(profile.read_text() + "      LEVEL: info\n")
    made: list[Any] = []

    def teammate() -> None:
        made.append(
            fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab",
                profile.parent)
        )  # fmt: skip

    _between_read_and_lock(monkeypatch, teammate)
    ui = ScriptedUI([True])
    forced = rollback(tmp_path, ui, change_id=a.change_id, force=True)
    assert made and made[0].exit_code is ExitCode.OK, made[0].summary()
    b = made[0].change_id
    said = "\n".join(ui.said)
    assert forced.exit_code is ExitCode.OK, forced.summary()
    assert f"it undoes drift's later change {b} (promoted) too" in said, said
    states = {e.change_id: (e.state, e.undone_by) for e in entries(tmp_path)}
    assert states == {a.change_id: (State.ROLLED_BACK, ""), b: (State.ROLLED_BACK, a.change_id)}
    writes = len(updates(sandbox))
    again = rollback(tmp_path)
    assert again.exit_code is ExitCode.OK and again.restored == [], again.summary()
    assert len(updates(sandbox)) == writes
    assert _env(sandbox) == {"DEBUG": "true"}


def _from_live(tmp_path: Path, change: str) -> Any:
    """`drift rollback CHANGE --from-live lab --yes`, in-process."""
    profile = load_profile(tmp_path / "profiles", "lab")
    return asyncio.run(
        run_rollback(settings(tmp_path), ScriptedUI(), change, yes=True, live=profile)
    )


def test_a_from_live_rollback_finished_meanwhile_is_not_written_over(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two on-call engineers run `drift rollback CHANGE --from-live lab` on a canary whose
    journal is elsewhere; the second finishes (and journals its entry) while the first sits
    between its live reads and its lock. The first finds the change rolled back in the
    journal: it writes nothing, and the second's entry keeps its record."""
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    second: list[Any] = []
    _between_read_and_lock(monkeypatch, lambda: second.append(_from_live(tmp_path, change)))
    first = _from_live(tmp_path, change)
    assert second and second[0].exit_code is ExitCode.OK and second[0].restored == ["app"]
    writes = len(updates(sandbox))
    (entry,) = entries(tmp_path)
    assert not entry.problem and entry.state == State.ROLLED_BACK, entry.history
    states = [h["state"] for h in entry.history]
    assert states[-2:] == [State.ROLLING_BACK, State.ROLLED_BACK], states
    assert states.count(State.ROLLING_BACK) == 1, states  # one rollback's record
    assert first.exit_code is ExitCode.OK and first.restored == [], first.summary()
    assert first.skipped == ["app: already rolled back"], first.summary()
    assert len(updates(sandbox)) == writes


def test_an_entry_refused_once_the_locks_are_held_leaves_the_stopped_change_s_lock(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift rollback A` of a fix killed after its canary landed takes over A's stale lock;
    read again under it, A's entry is one this drift cannot read (a newer drift recorded in
    it meanwhile): one error, nothing written, and A's lock left as it was found — the
    change is still unfinished, and `drift fix` stays refused on the service."""
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    locks = tmp_path / ".drift" / "journal" / "locks"
    found = {p.name: p.read_bytes() for p in locks.glob("*.lock")}
    assert found
    reads: list[bool] = []

    class Newer(Journal):
        def entries(self) -> list[Entry]:
            reads.append(True)
            if len(reads) == 2:  # under the locks
                (path,) = self.directory.glob(f"{change}--*.json")
                data = json.loads(path.read_text())
                path.write_text(json.dumps({**data, "from_the_future": 1}))
            return super().entries()

    monkeypatch.setattr(drift.fix.rollback, "Journal", Newer)
    writes = len(updates(sandbox))
    with pytest.raises(JournalError) as caught:
        rollback(tmp_path, change_id=change)
    assert "from_the_future" in caught.value.message, caught.value.message
    assert len(updates(sandbox)) == writes
    assert {p.name: p.read_bytes() for p in locks.glob("*.lock")} == found


def test_a_rollback_that_cannot_start_its_clients_leaves_the_stopped_change_s_lock(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift rollback A` of a fix killed after its canary landed takes over A's stale lock,
    then cannot make its clients (a variable the Google client libraries refuse, as missing
    credentials would): one error, nothing written, and A's lock left as it was found. It was
    deleted, so a `drift fix` then ran on a service whose change was unfinished."""
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    locks = tmp_path / ".drift" / "journal" / "locks"
    found = {p.name: p.read_bytes() for p in locks.glob("*.lock")}
    assert found
    monkeypatch.setenv("GOOGLE_API_USE_MTLS_ENDPOINT", "sometimes")
    writes = len(updates(sandbox))
    with pytest.raises(UsageError) as caught:
        rollback(tmp_path, change_id=change)
    assert "GOOGLE_API_USE_MTLS_ENDPOINT" in caught.value.message, caught.value.message
    assert len(updates(sandbox)) == writes
    assert {p.name: p.read_bytes() for p in locks.glob("*.lock")} == found


def test_a_rollback_the_server_refuses_leaves_the_stopped_change_s_lock(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift rollback A` of a fix killed after its canary landed takes over A's stale lock;
    Cloud Run refuses its write (the on-call account may not update the service): nothing
    was written, A is still unfinished, and A's lock stays as it was found, so `drift fix`
    stays refused on the service until A is rolled back."""
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    locks = tmp_path / ".drift" / "journal" / "locks"
    found = {p.name: p.read_bytes() for p in locks.glob("*.lock")}
    assert found
    sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED"))
    rolled = rollback(tmp_path, change_id=change)
    assert rolled.exit_code is ExitCode.ABORTED and rolled.restored == [], rolled.summary()
    assert "nothing was written to app" in rolled.summary(), rolled.summary()
    assert f"app: the lock change {change} left stays as it was" in rolled.summary()
    assert {p.name: p.read_bytes() for p in locks.glob("*.lock")} == found


def test_a_workload_recorded_under_the_change_meanwhile_is_never_written_without_its_lock(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the first read and the locks, an entry of the same change for another workload
    appears (a fix of that change still recording, a journal copied in): the locks were taken
    for what the first read found, so the rollback stops, writing nothing, and says to run it
    again (which takes every lock it needs)."""
    sandbox = make_sandbox(lab_world())
    a = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert a.exit_code is ExitCode.OK and a.change_id, a.summary()
    directory = journal(tmp_path).directory

    def recorded() -> None:
        (entry,) = entries(tmp_path)
        other = dataclasses.replace(
            entry,
            service="other",
            full_name=entry.full_name.rsplit("/", 1)[0] + "/other",
            source="",
        )
        journal(tmp_path).record(other, entry.state, "recorded meanwhile")

    _between_read_and_lock(monkeypatch, recorded)
    writes = len(updates(sandbox))
    done = rollback(tmp_path)
    assert done.exit_code is ExitCode.ABORTED, done.summary()
    assert "other: recorded under change" in done.message, done.message
    assert f"run `drift rollback {a.change_id}` again" in done.message, done.message
    assert len(updates(sandbox)) == writes
    assert not list((directory / "locks").glob("*.lock")), "every lock is let go"
