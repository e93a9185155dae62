"""`drift rollback` when a revision the recorded traffic names no longer exists: retired by
the fix (its canary took the pinned revision's place) and deleted since — "There is a maximum
of 1000 revisions per service: If you exceed that limit, older revisions are automatically
deleted" (cloud.google.com/run/docs/managing/revisions), or a cleanup job. GetRevision says
NOT_FOUND before anything is written: the revision the fix was built on ran the recorded
configuration, so its share goes to the new revision the rollback makes of it (the prompt says
so); another one gone stops the rollback before any write, naming it and the way out — never
a write Google refuses ("spec.traffic: Revision '…' does not exist.")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    config,
    entries,
    lab_fix,
    lab_name,
    lab_world,
    rollback,
    shares,
    updates,
)
from tests.timewarp import warp_sessions

V0 = "us-docker.pkg.dev/lab/app:v0"
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


def test_the_pinned_revision_deleted_its_share_goes_to_the_revision_made_from_its_config(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox = make_sandbox(
        lab_world(history=[{"image": V0}], traffic=[{"revision": 2, "percent": 100}])
    )
    served = sandbox.service(LAB, "app").traffic[0].revision
    served_config = config(sandbox.revision(LAB, "app", served))
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    clients = clients_for(sandbox)
    clients.revisions.delete_revision(name=f"{lab_name()}/revisions/{served}").result(timeout=10)
    ui = ScriptedUI([True])
    rolled = rollback(tmp_path, ui)
    said = "\n".join(ui.said)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    assert f"revision {served} (100%) no longer exists (GetRevision: NOT_FOUND)" in said, said
    assert "its share goes to the new revision the rollback creates" in said, said
    assert "traffic: the new revision 100%" in said, said
    after = sandbox.service(LAB, "app")
    ((name, percent),) = shares(after).items()
    assert percent == 100 and name.startswith("app-drift-") and name != result.outcomes[0].canary
    assert [(t.type_, t.revision, t.percent) for t in after.traffic] == [(REVISION, name, 100)]
    assert config(sandbox.revision(LAB, "app", name)) == served_config
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK


def test_another_revision_deleted_stops_the_rollback_before_any_write(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A split 20/80: the fix replaces the 80 % revision; the team then moves the other
    20 % to the canary and deletes that revision. Its configuration is not in the journal:
    even `--force` stops before writing, naming it and the way out."""
    sandbox = make_sandbox(_split())
    other = _fixed_then_deleted(sandbox, clients_for, tmp_path, monkeypatch)
    writes = len(updates(sandbox))
    rolled = rollback(tmp_path, force=True)
    text = rolled.summary()
    assert rolled.exit_code is ExitCode.ABORTED, text
    assert f"names revision {other} (20%), which no longer exists (GetRevision: NOT_FOUND" in text
    assert (
        "gcloud run services update-traffic app --project fix-lab --region us-central1" in text
    ), text
    assert text.endswith("nothing was changed"), text
    assert len(updates(sandbox)) == writes
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTED


@pytest.mark.parametrize("mode", ["refused", "operation"])
def test_a_deleted_revision_get_revision_could_not_tell_is_never_a_rollback(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    """As above, but GetRevision does not answer (UNAVAILABLE): the write names the deleted
    revision. Cloud Run refuses it at once or accepts it and fails its operation ("Revision
    '…' does not exist or is deleted", terraform-docs-samples#269): not documented, the
    sandbox does either (`options.missing_traffic`, helper-575 F2). Either way the rollback is
    not done (exit 4), says so, and traffic stays on what served."""
    from drift.sandbox import Fault

    world = _split()
    world["options"] = {**world.get("options", {}), "missing_traffic": mode}
    sandbox = make_sandbox(world)
    other = _fixed_then_deleted(sandbox, clients_for, tmp_path, monkeypatch)
    serving = shares(sandbox.service(LAB, "app"))
    sandbox.inject(Fault(method="GetRevision", code="UNAVAILABLE"))
    warp_sessions(monkeypatch)  # the UNAVAILABLE reads' backoffs pass at once
    rolled = rollback(tmp_path, force=True)
    text = rolled.summary()
    assert rolled.exit_code is ExitCode.ABORTED, text
    assert other in text, text
    assert shares(sandbox.service(LAB, "app")) == serving
    (entry,) = entries(tmp_path)
    assert entry.state != State.ROLLED_BACK, entry.state


def _split() -> dict[str, Any]:
    return lab_world(
        history=[{"image": V0}],
        traffic=[{"revision": 1, "percent": 20}, {"revision": 2, "percent": 80}],
    )


def _fixed_then_deleted(
    sandbox: Sandbox, clients_for: ClientsFor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The fix replaces the 80 % revision; the team then moves the other 20 % to the canary
    and deletes that revision, whose name is returned."""
    other = sandbox.service(LAB, "app").traffic[0].revision
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.DRIFT, result.summary()  # the 20 % still drifts
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    canary = result.outcomes[0].canary
    service.traffic = [run_v2.TrafficTarget(type_=REVISION, revision=canary, percent=100)]
    clients.services.update_service(service=service).result(timeout=10)
    clients.revisions.delete_revision(name=f"{lab_name()}/revisions/{other}").result(timeout=10)
    return str(other)
