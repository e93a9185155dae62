"""Journal files and locks are named after the workload's kind as well as its name: a service
`job-app` and a job `app` keep an entry each (rollback restores both, SPEC invariant 10) and a
lock each; an entry an older drift named `CHANGE--NAME.json` is still read and rolled back in
its own file; an entry is never written over another workload's; a lock file's fields are
shown safe."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import hashlib
import json
import os
import socket
from pathlib import Path

import pytest

from drift.errors import ExitCode, JournalError
from drift.fix.apply import FixOptions, run_fix
from drift.fix.journal import Entry, Journal, State
from drift.fix.lock import Locked, Locks, held
from drift.profiles.loader import load_profile
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    env_by_name,
    lab_cli,
    lab_fix,
    lab_world,
    rollback,
    settings,
    updates,
)
from tests.fix.test_journal_shape import recorded
from tests.jobs.world import TODAY, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

PROFILE = """\
project: p
region: us-central1
services:
  job-app:
    env:
      MODE: live
      DEBUG: {forbidden: true}
jobs:
  app:
    env:
      MODE: batch
"""


def test_a_service_job_app_and_a_job_app_keep_an_entry_each(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    w = world(jobs={"app": copy.deepcopy(JOB_SPEC)}, pools={})
    w["projects"]["p"]["services"] = {
        "job-app": {
            "template": {
                "image": "us-docker.pkg.dev/example/web:1",
                "port": 8080,
                "env": {"DEBUG": "1"},
            }
        }
    }
    sandbox = make_sandbox(w)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profile = load_profile(write_profile(tmp_path / "profiles", PROFILE), "prod")
    options = FixOptions(yes=True, verify=False)
    fixed = asyncio.run(run_fix(profile, settings(tmp_path), ScriptedUI(), options, today=TODAY))
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    journal = tmp_path / ".drift" / "journal"
    change = fixed.change_id
    assert sorted(p.name for p in journal.glob("*.json")) == [
        f"{change}--job--app.json",
        f"{change}--service--job-app.json",
    ]
    done = rollback(tmp_path)
    assert done.exit_code == ExitCode.OK, done.summary()
    assert sorted(done.restored) == ["job app", "job-app"]  # named with their kind
    assert "DEBUG" in env_by_name(sandbox.service("p", "job-app"))  # the service too, as it was


def test_an_entry_named_by_an_older_drift_is_rolled_back_in_its_own_file(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())
    fixed = lab_fix(
        tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True, verify=False), monkeypatch
    )
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    journal = tmp_path / ".drift" / "journal"
    (new,) = journal.glob("*.json")
    old = journal / f"{fixed.change_id}--app.json"  # how drift named a service's entry before
    new.rename(old)
    new.with_name(new.name + ".sha256").rename(old.with_name(old.name + ".sha256"))
    done = rollback(tmp_path)
    assert done.exit_code == ExitCode.OK, done.summary()
    assert done.restored == ["app"]
    assert "DEBUG" in env_by_name(sandbox.service(LAB, "app"))
    assert list(journal.glob("*.json")) == [old]  # recorded where it was read from
    (entry,) = Journal(journal).entries()
    assert (entry.state, entry.problem) == (State.ROLLED_BACK, "")


def test_a_change_an_older_drift_rolled_back_in_its_own_file_is_one_entry(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A drift before c693650 rolls back this drift's change and records that in its own
    name for the entry (`CHANGE--NAME.json`), the promoted `CHANGE--service--NAME.json`
    left as it was (revcompat F2): one change of one service, read as the entry recorded
    last (rolled back), listed once, and `drift rollback CHANGE` has nothing left to do."""
    sandbox = make_sandbox(lab_world())
    assert lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify").returncode == 0
    journal = tmp_path / ".drift" / "journal"
    (promoted,) = journal.glob("*--service--*.json")
    change = promoted.name.split("--")[0]
    data = json.loads(promoted.read_text())
    later = dt.datetime.fromisoformat(data["history"][-1]["at"]) + dt.timedelta(seconds=1)
    for state in (State.ROLLING_BACK, State.ROLLED_BACK):  # as drift 8b80571 records it
        data["history"].append({"at": later.isoformat(), "state": state, "note": ""})
    data["state"] = State.ROLLED_BACK
    older = journal / f"{change}--app.json"
    raw = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
    older.write_bytes(raw)
    older.chmod(0o600)  # as drift writes its entries
    older.with_name(older.name + ".sha256").write_text(hashlib.sha256(raw).hexdigest() + "\n")
    (entry,) = Journal(journal).entries()
    assert (entry.state, entry.source, entry.problem) == (State.ROLLED_BACK, str(older), "")
    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    assert (
        [line for line in listed.stdout.splitlines() if change in line]
        == [line for line in listed.stdout.splitlines() if change in line and "rolled-back" in line]
        != []
    ), listed.stdout
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "already rolled back" in said, said
    assert "promoted" not in said and updates(sandbox) == [], said


def test_an_entry_is_never_written_over_another_workloads(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    before = path.read_bytes()
    data = {k: v for k, v in json.loads(before).items() if k not in ("schema", "state")}
    other = Entry(
        **{**data, "kind": "job", "full_name": "projects/p/locations/us-central1/jobs/web"}
    )
    other.source = str(path)  # a name that collides, however it came to
    with pytest.raises(JournalError, match="holds another entry"):
        Journal(tmp_path).record(other, State.UPDATING)
    assert path.read_bytes() == before
    (entry,) = Journal(tmp_path).entries()
    assert entry.problem == ""


def test_a_service_a_job_and_a_pool_of_one_name_have_a_lock_each(tmp_path: Path) -> None:
    """Each has a lock of its own name; all three are held under the older name too (that a
    drift before c693650 gave them all, and checks: revcompat F1), so one command takes them
    together, and a second command on another of them stops as an older drift would."""
    parent = "projects/p/locations/us-central1"
    with Locks(tmp_path, "20261201-000000-aaaa", "fix") as first:
        first.acquire(f"{parent}/services/app", "app")
        first.acquire(f"{parent}/jobs/app", "job app")
        first.acquire(f"{parent}/workerPools/app", "worker pool app")
        assert len({p.name for p in first.held}) == 4
    with Locks(tmp_path, "20261201-000000-aaaa", "fix") as first:
        first.acquire(f"{parent}/services/app", "app")
        with Locks(tmp_path, "20261201-000000-bbbb", "fix") as second:
            with pytest.raises(Locked, match="change 20261201-000000-aaaa"):
                second.acquire(f"{parent}/jobs/app", "job app")
            assert second.held == []
        left = sorted(p.name for p in (tmp_path / "locks").glob("*.lock"))
        assert left == sorted(p.name for p in first.held)  # nothing of the second's


def test_a_lock_files_fields_are_shown_safe(tmp_path: Path) -> None:
    """A lock file is anyone's to write: a line break in its fields never starts a line (a
    GitHub workflow command) in the messages that name its holder."""
    full_name = "projects/p/locations/us-central1/services/app"
    locks = tmp_path / "locks"
    locks.mkdir()
    injected = "x\n::error file=README.md::injected\n"
    holder = {"change_id": injected, "pid": os.getppid(), "host": socket.gethostname()}
    holder |= {"started": injected, "command": injected, "service": injected}
    (locks / "p--us-central1--services--app.lock").write_text(json.dumps(holder))
    said = [held(tmp_path, "p", "us-central1", "services", "app")]
    with Locks(tmp_path, "20261201-000000-aaaa", "fix") as mine, pytest.raises(Locked) as caught:
        mine.acquire(full_name, "app")
    said.append(caught.value.message)
    for text in said:
        assert "injected" in text and "\n" not in text, text


def test_a_lock_an_older_drift_named_still_holds(tmp_path: Path) -> None:
    """An older drift's lock (`PROJECT--REGION--NAME.lock`, no kind), its process running:
    held for every workload of that name (it cannot tell which), never taken."""
    locks = tmp_path / "locks"
    locks.mkdir()
    holder = {"change_id": "20261201-000000-cccc", "pid": os.getppid()}
    holder |= {"host": socket.gethostname(), "started": "now", "command": "fix"}
    (locks / "p--us-central1--app.lock").write_text(json.dumps(holder))
    for collection in ("services", "jobs"):
        assert "20261201-000000-cccc" in held(tmp_path, "p", "us-central1", collection, "app")
        with Locks(tmp_path, "20261201-000000-aaaa", "fix") as mine, pytest.raises(Locked):
            mine.acquire(f"projects/p/locations/us-central1/{collection}/app", "app")
    assert sorted(p.name for p in locks.glob("*.lock")) == ["p--us-central1--app.lock"]
