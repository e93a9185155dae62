"""review 856 F2: a restoring write the server answered as drift's own — its operation's
response names the generation read back, one past what drift read — that reads back otherwise
than drift sent (the sandbox's `mask_message: merged`: a message drift's request leaves out,
the VPC connector a fix added, stays) was judged someone else's write: "drift's write did not
land … nothing was written to app", a `--force` suggested, the entry not recorded as landed.
It is drift's write, landed altered: said so with the fields that differ, journaled at its
generation (a rollback run again needs no `--force`), never "nothing was written"; for the
rollback's write and the fix's clean-up after a declined promotion alike (both `restore`,
judged by `drift.fix.restored.theirs`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import drift.fix.restore
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    after_each_write,
    entries,
    fix,
    lab_world,
    rollback,
    updates,
)

IMAGE = "us-docker.pkg.dev/lab/app:v1"
CONNECTOR = "projects/fix-lab/locations/us-central1/connectors/c1"
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
    "      vpc_connector: c1\n"
)
NOT_THEIRS = ("did not land", "nothing was written", "--force", "changed since")


def merged(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, Path]:
    """A lab service with no connector, on a server that merges a message a mask path names
    (`mask_message: merged`), and a profile that wants connector c1."""
    world = lab_world(template={"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080})
    world["options"]["mask_message"] = "merged"
    return _started(make_sandbox(world), tmp_path, monkeypatch, PROFILE)


def _started(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str
) -> tuple[Sandbox, Path]:
    """`sandbox` as drift's environment, run from `tmp_path`, `profile` as profiles/lab.yaml."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(profile)
    return sandbox, folder


def _fixed(sandbox: Sandbox, tmp_path: Path, folder: Path) -> None:
    """`drift fix lab --yes` (unverified) of the profiles in `folder`, landed."""
    done = fix(
        tmp_path,
        sandbox.environ(),
        ScriptedUI(),
        FixOptions(yes=True, verify=False),
        None,
        "lab",
        folder,
    )
    assert done.exit_code is ExitCode.OK, done.summary()


def test_a_rollback_landed_altered_is_drifts_own_write(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, folder = merged(make_sandbox, tmp_path, monkeypatch)
    _fixed(sandbox, tmp_path, folder)
    was = sandbox.service(LAB, "app")
    assert was.template.vpc_access.connector.endswith("c1"), was.template.vpc_access
    sandbox.clear_calls()

    result = rollback(tmp_path)
    said = result.summary()
    now = sandbox.service(LAB, "app")
    assert len(updates(sandbox)) == 1, said
    assert int(now.generation) == int(was.generation) + 1, said  # drift's write, no one else's
    assert now.template.vpc_access.connector.endswith("c1"), said  # merged: it stays
    assert not [w for w in NOT_THEIRS if w in said], said
    assert (
        f"drift's write landed (generation {now.generation}, as the server's answer names it) "
        "but did not come out as sent: the service app's vpc_access.connector reads back "
        "otherwise than drift sent it; " in said  # by name: never its value
    ), said
    assert CONNECTOR not in said, said
    assert result.exit_code is ExitCode.ABORTED, said  # as a restoration that landed wrong
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLBACK_FAILED, said
    last = entry.writes[-1]
    assert last["landed"] and last["generation_after"] == int(now.generation), entry.writes

    sandbox.clear_calls()  # drift's own write: run again, no --force needed
    again = rollback(tmp_path)
    assert "refused" not in again.summary() and len(updates(sandbox)) == 1, again.summary()


def test_a_clean_up_landed_altered_is_drifts_own_write(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The promotion declined: the clean-up's write (the canary's tag removed, what served
    put back) lands with the connector kept."""
    sandbox, folder = merged(make_sandbox, tmp_path, monkeypatch)
    ui = ScriptedUI([True, False])
    done = fix(tmp_path, sandbox.environ(), ui, FixOptions(verify=False), None, "lab", folder)
    said = done.summary()
    now = sandbox.service(LAB, "app")
    assert now.template.vpc_access.connector.endswith("c1"), said  # merged: it stays
    assert not [w for w in NOT_THEIRS if w in said], said
    assert (
        f"drift's write landed (generation {now.generation}, as the server's answer names it) "
        "but did not come out as sent" in said
    ), said
    assert "the service app's vpc_access.connector reads back otherwise than drift sent it" in (
        said
    ), said  # a plain sentence, the field by name (task 860: "reads back otherwise … in")
    assert done.exit_code is ExitCode.ABORTED, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANUP_FAILED, said
    assert entry.writes[-1]["generation_after"] == int(now.generation), entry.writes


def test_a_pools_rollback_landed_altered_is_drifts_own_write(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker pool's rollback (`restore_workload`, judged by the same `theirs`): the mesh a
    fix added stays under a merged mask."""
    pool = {"client": "gcloud", "client_version": "467.0.0", "template": {"image": IMAGE}}
    world = {
        "options": {"seed": 3, "mask_message": "merged"},
        "projects": {
            LAB: {"number": 555000111222, "region": "us-central1", "worker_pools": {"app": pool}}
        },
    }
    profile = (
        f"project: {LAB}\nregion: us-central1\nworker_pools:\n  app:\n    settings:\n"
        "      service_mesh: m1\n"
    )
    sandbox, folder = _started(make_sandbox(world), tmp_path, monkeypatch, profile)
    _fixed(sandbox, tmp_path, folder)
    was = sandbox.worker_pool(LAB, "app")
    result = rollback(tmp_path)
    said = result.summary()
    now = sandbox.worker_pool(LAB, "app")
    assert now.template.service_mesh.mesh.endswith("m1"), said  # merged: it stays
    assert int(now.generation) == int(was.generation) + 1, said
    assert not [w for w in NOT_THEIRS if w in said], said
    assert (
        f"drift's write landed (generation {now.generation}, as the server's answer names it) "
        "but did not come out as sent: the worker pool app's service_mesh.mesh reads back "
        "otherwise than drift sent it; " in said
    ), said
    assert result.exit_code is ExitCode.ABORTED, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLBACK_FAILED, said
    assert entry.writes[-1]["generation_after"] == int(now.generation), entry.writes


def test_a_rollback_landed_altered_then_written_over_says_so(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """Task 860: the rollback's write lands altered (its answer names the generation one past
    what drift read, the connector kept), then a teammate labels the service before drift
    reads it back. It said "drift's write may have landed before that", which its answer
    disproves: landed, altered by the answer (the field by name), then their change, which
    stands; journaled landed at the answer's generation."""
    sandbox, folder = merged(make_sandbox, tmp_path, monkeypatch)
    _fixed(sandbox, tmp_path, folder)
    was = sandbox.service(LAB, "app")
    services = clients_for(sandbox).services

    def label(request: object) -> None:
        service = services.get_service(name=was.name)
        service.labels["team"] = "theirs"
        services.update_service(service=service).result()

    after_each_write(monkeypatch, drift.fix.restore, label)
    result = rollback(tmp_path)
    said = " ".join(result.summary().split())
    now = sandbox.service(LAB, "app")
    assert int(now.generation) == int(was.generation) + 2, said  # drift's, then theirs
    assert "may have landed before that" not in said, said
    assert (
        f"drift's write landed (generation {int(was.generation) + 1}, as the server's answer "
        "names it) but did not come out as sent: the service app's vpc_access.connector came "
        "back in the server's answer otherwise than drift sent it, then app was changed by "
        f"someone else (generation {int(was.generation) + 1} → {now.generation}, "
    ) in said
    assert "their change stands" in said and CONNECTOR not in said, said
    assert result.exit_code is ExitCode.ABORTED, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLBACK_FAILED, said
    last = entry.writes[-1]
    assert (last["landed"], last["generation_after"]) == (True, int(was.generation) + 1), said
