"""helper-601 F1: a fix stopped after its last write landed (a promotion, an update in place)
leaves its lock and a `promoting`/`updating` entry; the workload runs exactly what the fix
wrote, so the next `drift fix` has nothing to patch — and returned before the only place such
a lock was judged. The lock stayed; a teammate's change later made the landing unprovable, and
every fix refused until someone deleted the lock by hand. A fix with nothing to patch now
settles it when the write is proven landed (entry finished, lock released, one line), and
leaves it, saying why and the ways out, when it is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor
from tests.fix.conftest import LAB, entries, lab_world
from tests.fix.sidecar_lab import profile, run, world
from tests.fix.test_landed_before import (
    FINISHED,
    FIRST,
    NEXT,
    STOPPED,
    interrupted_in_place,
    killed_after_its_last_write,
)


def locks(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / ".drift" / "journal" / "locks").glob("*.lock"))


def teammate_labels(clients_for: ClientsFor, sandbox: Sandbox) -> None:
    services = clients_for(sandbox).services
    service = services.get_service(name=f"projects/{LAB}/locations/us-central1/services/app")
    service.labels["team"] = "chat"
    services.update_service(service=service).result()


@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_a_fix_with_nothing_to_patch_settles_a_landed_write(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
    kind: str,
) -> None:
    reseedable.reset(world(kind))
    stopped = killed_after_its_last_write(reseedable, tmp_path, monkeypatch, kind)
    assert len(locks(tmp_path)) == 2
    text = profile("", kind, FIRST)

    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "nothing to patch" in said, said
    assert f"took over the lock left by change {stopped}" in said, said
    assert "its last write had landed" in said, said
    assert locks(tmp_path) == []  # taken over and released: nothing left to delete by hand
    (first,) = entries(tmp_path)
    assert first.state == FINISHED[kind]
    assert first.history[-1]["note"].startswith("finished by a later `drift fix`: ")
    if kind == "service":  # the way drift comes back: a teammate's write, then a fix
        teammate_labels(clients_for, reseedable)
        later = run(reseedable, tmp_path, profile(NEXT, kind, FIRST), "fix", "lab", "--yes")
        assert later.returncode == 0, later.stdout + later.stderr  # was 4: stopped mid-change


def test_a_write_not_proven_landed_keeps_its_lock_and_says_so(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients_for: ClientsFor
) -> None:
    reseedable.reset(world("service"))
    stopped = killed_after_its_last_write(reseedable, tmp_path, monkeypatch, "service")
    teammate_labels(clients_for, reseedable)  # drift's write is no longer the last one
    held = locks(tmp_path)

    done = run(reseedable, tmp_path, profile("", "service", FIRST), "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "nothing to patch" in said, said
    assert (
        f"change {stopped} (fix, pid" in said
        and "stopped mid-change, or ended with its outcome not known" in said
    ), said
    assert f"`drift rollback {stopped}`" in said, said
    assert locks(tmp_path) == held
    (first,) = entries(tmp_path)
    assert first.state == STOPPED["service"]


def test_a_dry_run_settles_nothing(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reseedable.reset(world("service"))
    killed_after_its_last_write(reseedable, tmp_path, monkeypatch, "service")
    held = locks(tmp_path)
    done = run(reseedable, tmp_path, profile("", "service", FIRST), "fix", "lab", "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert locks(tmp_path) == held and entries(tmp_path)[0].state == State.PROMOTING


def test_a_services_own_settings_update_that_landed_is_settled_with_nothing_to_patch(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update in place of a service's own settings interrupted while its answer was
    awaited (`updating`), landed all the same: the same profile's next fix settles it."""
    seed = lab_world(template={"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080})
    seed["projects"][LAB]["services"]["app"]["scaling"] = {"minInstanceCount": 2}
    reseedable.reset(seed)
    text = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
    text += "    settings:\n      min_instances: 3\n"
    entry = interrupted_in_place(reseedable, tmp_path, monkeypatch, text)
    assert reseedable.service(LAB, "app").scaling.min_instance_count == 3  # it landed

    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "nothing to patch" in said, said
    assert f"took over the lock left by change {entry.change_id}" in said, said
    assert locks(tmp_path) == [] and entries(tmp_path)[0].state == State.UPDATED


@pytest.mark.parametrize("kind", ["service", "job"])
def test_a_write_alike_but_someone_elses_is_not_drifts_landing(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
    kind: str,
) -> None:
    """helper-607 F1: drift's write never sent, a teammate's identical one (one generation on,
    the same configuration) was taken for drift's landing: the entry recorded as finished with
    their etag, the lock released. Every drift write says `client: drift` (invariant 12): the
    same workload read as someone else's last write is not drift's landing."""
    from drift.fix.landed_before import _landed

    reseedable.reset(world(kind))
    killed_after_its_last_write(reseedable, tmp_path, monkeypatch, kind)
    (entry,) = [e for e in entries(tmp_path) if e.state == STOPPED[kind]]
    name = f"projects/{LAB}/locations/us-central1/{'services' if kind == 'service' else 'jobs'}/app"
    if kind == "service":
        now = clients_for(reseedable).services.get_service(name=name)
    else:
        import grpc
        from google.cloud import run_v2
        from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport

        with grpc.insecure_channel(reseedable.address) as channel:
            jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
            now = jobs.get_job(name=name)
    assert now.client == "drift" and _landed(entry, now)  # drift's own landing
    now.client = "gcloud"  # the same configuration, written by someone else
    assert not _landed(entry, now)


@pytest.mark.parametrize("kind", ["service", "job"])
def test_check_says_a_stopped_change_holds_the_lock_until_it_is_settled(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """helper-601 F1: `drift check` said "no drift" and nothing of the lock a stopped change
    left, which refused every later `drift fix` of the workload. It says so, with the ways
    out, until a fix settles it."""
    reseedable.reset(world(kind))
    stopped = killed_after_its_last_write(reseedable, tmp_path, monkeypatch, kind)
    text = profile("", kind, FIRST)
    checked = run(reseedable, tmp_path, text, "check", "lab")
    said = checked.stdout + checked.stderr
    assert f"change {stopped} did not finish: the outcome of its last write" in said, said
    assert f"`drift rollback {stopped}`" in said, said
    assert run(reseedable, tmp_path, text, "fix", "lab", "--yes").returncode == 0
    again = run(reseedable, tmp_path, text, "check", "lab")
    assert "the outcome of its last write is not known" not in again.stdout + again.stderr
