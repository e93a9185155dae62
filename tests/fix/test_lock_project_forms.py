"""One writer per service (SPEC invariant 11) whichever way the project is named. A lock is
named after the resource name Cloud Run returned (`projects/{project}/locations/...`), and
the API accepts a project's id or its number as `{project}`; whether `Service.name` then
echoes the form asked for is left open by the run v2 field docs ("Format:
projects/{project}/locations/{location}/services/{service_id}"). Two profiles naming one
project by id and by number would otherwise take two locks on one service. A number cannot
be told from an id without an API call, so a lock under a number stands for the workload of
that region and name in any project named by id (and the reverse); two ids (or two numbers)
that differ are two projects."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import now_text
from drift.fix.lock import Locked, Locks
from drift.fix.lockholder import held
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    ScriptedUI,
    entries,
    fix,
    lab_fix,
    lab_world,
    lab_written,
    rollback,
    updates,
)

ID, NUMBER = "fix-lab", "555000111222"


def _running_fix(service: str) -> dict[str, Any]:
    """A lock's holder: change 20261202-100000-aaaa, a `drift fix` of `service` still running
    (its pid this test's parent's) on this host."""
    return {
        "change_id": "20261202-100000-aaaa",
        "pid": os.getppid(),  # running
        "host": socket.gethostname(),
        "started": now_text(),
        "command": "fix",
        "service": service,
    }


def _name(project: str, name: str = "web", collection: str = "services") -> str:
    return f"projects/{project}/locations/us-central1/{collection}/{name}"


@pytest.mark.parametrize(("first", "then"), [(ID, NUMBER), (NUMBER, ID)])
def test_a_service_locked_under_one_form_of_its_project_is_held_under_the_other(
    tmp_path: Path, first: str, then: str
) -> None:
    journal = tmp_path / "journal"
    with Locks(journal, "20261202-100000-aaaa", "fix") as one:
        one.acquire(_name(first), "web")
        taken = set((journal / "locks").glob("*.lock"))
        with Locks(journal, "20261202-100001-bbbb", "rollback") as two:
            with pytest.raises(Locked) as caught:
                two.acquire(_name(then), "web")
            assert "change 20261202-100000-aaaa" in caught.value.message, caught.value.message
            assert set((journal / "locks").glob("*.lock")) == taken  # nothing of its own left
    assert not list((journal / "locks").glob("*.lock"))


def test_two_projects_named_alike_never_hold_each_other(tmp_path: Path) -> None:
    """Two ids, or two numbers, are two projects: staging and prod share no lock."""
    journal = tmp_path / "journal"
    with Locks(journal, "20261202-100000-aaaa", "fix") as one:
        one.acquire(_name("acme-staging"), "web")
        one.acquire(_name("111", "api"), "api")
        with Locks(journal, "20261202-100001-bbbb", "fix") as two:
            two.acquire(_name("acme-prod"), "web")
            two.acquire(_name("222", "api"), "api")


@pytest.mark.parametrize(("locked", "asked"), [(ID, NUMBER), (NUMBER, ID)])
def test_the_check_before_a_read_finds_the_lock_under_either_form(
    tmp_path: Path, locked: str, asked: str
) -> None:
    locks = tmp_path / "locks"
    locks.mkdir()
    holder = _running_fix("web")
    (locks / f"{locked}--us-central1--services--web.lock").write_text(json.dumps(holder))
    said = held(tmp_path, asked, "us-central1", "services", "web")
    assert said.startswith("web is being changed by change 20261202-100000-aaaa"), said
    assert (
        held(tmp_path, "acme-prod" if locked == NUMBER else "999", "us-central1", "services", "api")
        == ""
    )


def test_a_rollback_stops_on_a_fix_that_names_the_project_by_number(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A teammate's `drift fix` on a profile naming the project by number holds the service
    under that form (as Cloud Run would echo it); a rollback of a change made by id stops at
    once, nothing written."""
    sandbox = make_sandbox(lab_world())
    a = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert a.exit_code is ExitCode.OK, a.summary()
    locks = tmp_path / ".drift" / "journal" / "locks"
    holder = _running_fix("app")
    (locks / "555000111222--us-central1--services--app.lock").write_text(json.dumps(holder))
    writes = len(updates(sandbox))
    rolled = rollback(tmp_path, change_id=a.change_id)
    assert rolled.exit_code is ExitCode.ABORTED, rolled.summary()
    assert "app is being changed by change 20261202-100000-aaaa" in rolled.summary()
    assert len(updates(sandbox)) == writes
    assert sorted(p.name for p in locks.glob("*.lock")) == [
        "555000111222--us-central1--services--app.lock"
    ]


def test_against_a_server_that_echoes_the_number_a_fix_by_number_and_one_by_id_exclude(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = lab_world()
    world["options"]["project_in_names"] = "as_asked"
    sandbox = make_sandbox(world)
    folder = lab_written(
        sandbox,
        tmp_path,
        monkeypatch,
        f"project: '{NUMBER}'\nregion: us-central1\nservices:\n"
        "  app:\n    env:\n      MODE: live\n      DEBUG: {forbidden: true}\n",
    )
    done = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()
    (entry,) = entries(tmp_path)
    assert entry.full_name.startswith(f"projects/{NUMBER}/"), entry.full_name  # echoed
    locks = tmp_path / ".drift" / "journal" / "locks"
    holder = {
        "change_id": "20261202-100000-aaaa",
        "pid": os.getppid(),  # running: a teammate's fix on a profile naming the id
        "host": socket.gethostname(),
        "started": now_text(),
        "command": "fix",
        "service": "app",
    }
    (locks / f"{ID}--us-central1--services--app.lock").write_text(json.dumps(holder))
    rolled = rollback(tmp_path, change_id=done.change_id)
    assert rolled.exit_code is ExitCode.ABORTED, rolled.summary()
    assert "app is being changed by change 20261202-100000-aaaa" in rolled.summary()
