"""`drift rollback CHANGE --from-live ENV` (drift/fix/recover.py) where the live service is not
as a killed fix's canary left it, through the real CLI, on one killed fix (its journal gone):
no change named (exit 2, the command to use); the service not found, or not readable (exit 2
or the API's status, never a rollback); a canary serving part of the traffic (a promotion had
begun: what served before is only in the journal); a deploy in progress (run it again once it
settled). Each refusal changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drift.sandbox import Fault
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB
from tests.fix.test_killed_fix import aged, killed_after_the_canary_landed, said


def test_from_live_refuses_what_the_canary_no_longer_tells(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    sandbox, change, tag = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    before = lab.spec(sandbox.service(LAB, "app"))
    writes = len(lab.updates(sandbox))

    def rollback(*args: str) -> tuple[int, str]:
        done = lab.lab_cli(sandbox, tmp_path, "rollback", *args, "--from-live", "lab", "--yes")
        assert "Traceback" not in done.stderr, said(done)
        return done.returncode, said(done)

    code, out = rollback()
    assert code == 2, out
    assert (
        "--from-live lab rolls back one change, named: `drift rollback CHANGE --from-live lab`"
        in out
    )

    sandbox.inject(Fault("GetService", "NOT_FOUND", match="/services/app"))
    code, out = rollback(change)
    assert code == 2, out
    assert (
        f"no service of lab (app) carries a canary of change {change}: nothing to roll back" in out
    )
    sandbox.clear_faults()
    sandbox.inject(Fault("GetService", "PERMISSION_DENIED", match="/services/app"))
    code, out = rollback(change)
    assert code == 2, out
    assert "drift: error: GetService projects/fix-lab/locations/us-central1/services/app: " in out
    assert "PERMISSION_DENIED" in out, out
    sandbox.clear_faults()

    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab.lab_name())
    canary = next(t for t in service.traffic if t.tag == tag)
    serving = next(t for t in service.traffic if t.percent == 100)
    serving.percent, canary.percent = 90, 10
    clients.services.update_service(service=service).result()
    code, out = rollback(change)
    assert code == 4, out
    assert (
        f"app: the canary {canary.revision} serves 10% (its promotion had begun): what served "
        "before it is only in the journal of the change: nothing was changed"
    ) in out
    service = clients.services.get_service(name=lab.lab_name())
    for t in service.traffic:
        t.percent = 100 if t.revision == serving.revision and not t.tag else 0
    clients.services.update_service(service=service).result()
    assert lab.spec(sandbox.service(LAB, "app")) == before

    sandbox.hold_deploys()
    sandbox.deploy(LAB, "app", env={"HOTFIX": "1"}, no_traffic=True)
    code, out = rollback(change)
    assert code == 4, out
    assert "app: a deploy is in progress (" in out and "run it again once it has settled" in out
    assert len(lab.updates(sandbox)) == writes + 2  # the test's two traffic updates only


def test_a_profile_without_a_region_is_told_what_rollback_reads(tmp_path: Path) -> None:
    """helper-534: the message said "give --region or DRIFT_REGION" when rollback had no
    --region (`no such option`); it takes one now, with --from-live (helper-648), and the
    message names both, as check's does."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "noreg.yaml").write_text("project: p\nservices:\n  api: {}\n")
    done = drift(
        "rollback", "20261204-120000-abcde", "--from-live", "noreg", "--profiles", str(profiles),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "drift: error: profiles/noreg.yaml:1: region is not set (here or in a profile it "
        "extends); set it here, or give --region or DRIFT_REGION"
    ]
