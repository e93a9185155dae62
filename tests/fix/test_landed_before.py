"""A fix killed right after its last write landed (a service's promotion, a job's or pool's update
in place: the journal says `promoting` / `updating`, the lock left as kill -9 leaves it). The
workload runs exactly what the fix wrote, so `check` is clean and a `fix` of the same profile
has nothing to patch; the next fix with something to change used to refuse (exit 4) until the
operator rolled back the change they wanted or deleted the lock by hand (helper-553 F1). It
now reads the write landed — one generation later, configuration and traffic as sent, settled
— records the stopped change as finished, takes its lock over and says so. A write someone
made since still refuses, naming both ways out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.canary
import drift.fix.lock
import drift.fix.workload
from drift.errors import Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry, State
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor
from tests.fix.conftest import LAB, ScriptedUI, after_each_write, entries, fix, lab_here, lab_world
from tests.fix.sidecar_lab import OTEL_NEXT, profile, run, world
from tests.fix.test_lock import as_killed

FIRST = "    env:\n      MODE: debug\n"
NEXT = f"        settings:\n          image: {OTEL_NEXT}\n"
STOPPED = {"service": State.PROMOTING, "job": State.UPDATING, "worker_pool": State.UPDATING}
FINISHED = {"service": State.PROMOTED, "job": State.UPDATED, "worker_pool": State.UPDATED}


class Killed(BaseException):
    """kill -9: nothing of drift's runs after it (no clause of drift's catches it)."""


def killed_after_its_last_write(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> str:
    """`drift fix lab --yes` (app's MODE) killed once its last write landed, before it read
    the answer: the change's id."""
    module = drift.fix.canary if kind == "service" else drift.fix.workload
    writes = 2 if kind == "service" else 1  # a service's canary, then its promotion
    sent: list[Any] = []

    def die(request: Any) -> None:
        sent.append(request)
        if len(sent) == writes:
            raise Killed()

    folder = lab_here(sandbox, tmp_path, monkeypatch, profile("", kind, FIRST))
    with monkeypatch.context() as m:
        after_each_write(m, module, die)
        m.setattr(drift.fix.lock.Locks, "release", lambda self: None)  # kill -9 frees nothing
        with pytest.raises(Killed):
            fix(
                tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder
            )
    as_killed(tmp_path / ".drift" / "journal" / "locks")
    (entry,) = entries(tmp_path)
    assert entry.state == STOPPED[kind]
    return entry.change_id


def interrupted_in_place(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> Entry:
    """`drift fix lab --yes` (profile `text`) interrupted by Ctrl-C once its update in place
    was sent, before its answer: its journal entry (`updating`), the lock said to be kept."""
    folder = lab_here(sandbox, tmp_path, monkeypatch, text)

    def ctrl_c(request: Any) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        after_each_write(m, drift.fix.workload, ctrl_c)
        with pytest.raises(Interrupted) as stopped:
            fix(
                tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder
            )
    assert "so drift keeps its lock" in str(stopped.value), stopped.value
    (entry,) = entries(tmp_path)
    assert entry.state == State.UPDATING
    return entry


@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_the_next_fix_finishes_a_change_whose_last_write_landed(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    reseedable.reset(world(kind))
    stopped = killed_after_its_last_write(reseedable, tmp_path, monkeypatch, kind)
    text = profile("", kind, FIRST)
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 0

    done = run(reseedable, tmp_path, profile(NEXT, kind, FIRST), "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert f"took over the lock left by change {stopped}" in said, said
    assert "its last write had landed" in said, said
    took = done.stdout.index(f"took over the lock left by change {stopped}")
    assert took < done.stdout.index("Plan for lab"), said  # the plan shown is the settled one
    first = next(e for e in entries(tmp_path) if e.change_id == stopped)
    assert first.state == FINISHED[kind]
    # settled before the plan is shown (`drift.fix.fix_plan`), under a lock of its own: before
    # the fix made its change id (helper-730 left it judged after the plan: "by change ID")
    assert first.history[-1]["note"].startswith("finished by a later `drift fix`: "), first
    # the later change's rollback puts back what the finished one left: MODE debug
    assert run(reseedable, tmp_path, text, "rollback", "--yes").returncode == 0
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 0
    assert run(reseedable, tmp_path, profile(NEXT, kind, FIRST), "check", "lab").returncode == 1


def test_a_write_made_since_still_refuses(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients_for: ClientsFor
) -> None:
    """A teammate's update after drift's landed promotion: drift's write is not the last one,
    so nothing proves where the change stands; the lock stays and the refusal says why."""
    reseedable.reset(world("service"))
    stopped = killed_after_its_last_write(reseedable, tmp_path, monkeypatch, "service")
    services = clients_for(reseedable).services
    service = services.get_service(name=f"projects/{LAB}/locations/us-central1/services/app")
    service.labels["team"] = "chat"
    services.update_service(service=service).result()

    done = run(reseedable, tmp_path, profile(NEXT, "service", FIRST), "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 4, said
    assert (
        f"change {stopped} (fix, pid" in said
        and "stopped mid-change, or ended with its outcome not known" in said
    ), said
    assert f"`drift rollback {stopped}`" in said and "if app is as it should be" in said, said
    (first,) = (e for e in entries(tmp_path) if e.change_id == stopped)
    assert first.state == State.PROMOTING


@pytest.mark.parametrize("kind", ["job", "worker_pool"])
def test_ctrl_c_while_an_update_in_place_is_awaited_keeps_its_lock(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """helper-553 F2: Ctrl-C once a job's update was sent, its answer not had (the journal
    says `updating`): the lock was let go, and the next fix built on the change unsaid — a
    rollback of that one then left this one in place. The lock stays, as a service's does,
    and the next fix says what it finds (here: the update landed, so it finishes it)."""
    reseedable.reset(world(kind))
    entry = interrupted_in_place(reseedable, tmp_path, monkeypatch, profile("", kind, FIRST))
    assert list((tmp_path / ".drift" / "journal" / "locks").glob("*--app.lock"))

    done = run(reseedable, tmp_path, profile(NEXT, kind, FIRST), "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert f"took over the lock left by change {entry.change_id}" in said, said


@pytest.mark.parametrize("kind", ["service", "job"])
def test_a_finished_change_still_rolls_back_after_the_later_one(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """helper-554 F1: finished without its last write's outcome (generation, etag), the
    change was a gap in the chain of drift's changes: once the later fix (which finished it
    and built on it) was rolled back, rolling back the finished one was refused as changed
    by someone else — only `--force` went on. The chain is as it is without a kill."""
    reseedable.reset(world(kind))
    stopped = killed_after_its_last_write(reseedable, tmp_path, monkeypatch, kind)
    text = profile("", kind, FIRST)
    later = run(reseedable, tmp_path, profile(NEXT, kind, FIRST), "fix", "lab", "--yes")
    assert later.returncode == 0, later.stdout + later.stderr
    assert run(reseedable, tmp_path, text, "rollback", "--yes").returncode == 0
    first = run(reseedable, tmp_path, text, "rollback", stopped, "--yes")
    assert first.returncode == 0, first.stdout + first.stderr
    code = run(reseedable, tmp_path, text, "check", "lab").returncode
    assert code == 1  # MODE live again, as before either change: the profile's debug drifts


def test_a_services_own_settings_update_interrupted_is_finished_by_the_next_fix(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-554 F2: a service's own settings are updated in place as a job is (no canary);
    interrupted while its answer was awaited, it keeps its lock, and the next fix judges it
    by the configuration it journaled, not as a canary's promotion (which it never matched:
    every later fix refused)."""
    seed = lab_world(template={"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080})
    seed["projects"][LAB]["services"]["app"]["scaling"] = {"minInstanceCount": 2}
    reseedable.reset(seed)
    head = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
    text = head + "    settings:\n      min_instances: 3\n"
    entry = interrupted_in_place(reseedable, tmp_path, monkeypatch, text)
    assert reseedable.service(LAB, "app").scaling.min_instance_count == 3  # it landed

    nxt = text + "    env:\n      MODE: debug\n"
    done = run(reseedable, tmp_path, nxt, "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert f"took over the lock left by change {entry.change_id}" in said, said
