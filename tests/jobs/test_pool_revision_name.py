"""Review revown32 (failed on main before its fix ccec3ca): fixleft2 (ff68325) made `drift
rollback`'s prompt say when the template's fixed revision name (Terraform
`google_cloud_run_v2_worker_pool.template.revision`) is cleared — for a service's canary
rollback only (`rollback_view.costs`). A worker pool's rollback (`workload_restore`) clears
it too (`restore_request`: "a pool's revision name cleared"), and `template_differences`
skips `revision` ("Not configuration"), so the prompt shows nothing of it: the operator
approves a rollback that renames the team's revision (Terraform's next plan shows it) and is
not told, unlike the same rollback of a service."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

from drift.errors import ExitCode
from drift.fix.formats import PlanFormat
from drift.fix.render import render_plan
from drift.fix.rollback import run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix
from tests.jobs.world import PROFILE, jobs_sandbox, write_profile

pytestmark = pytest.mark.sandbox
NAME = "projects/p/locations/us-central1/workerPools/pool"


def _name_the_revision(sandbox: Sandbox) -> None:
    channel = grpc.insecure_channel(sandbox.address)
    try:
        pools = run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))
        pool = pools.get_worker_pool(name=NAME)
        pool.template.revision = "pool-release-42"
        pools.update_worker_pool(worker_pool=pool).result()
    finally:
        channel.close()


def test_a_pool_rollback_says_its_fixed_revision_name_is_cleared(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = jobs_sandbox(make_sandbox, monkeypatch, tmp_path)
    text = PROFILE.replace("QUEUE: events", "QUEUE: orders")  # a template change to the pool
    profiles = write_profile(tmp_path / "profiles", text)
    _name_the_revision(sandbox)
    assert sandbox.worker_pool("p", "pool").template.revision == "pool-release-42"
    asked = ScriptedUI([True])
    fixed = fix(tmp_path, profiles, asked)
    assert fixed.exit_code is ExitCode.OK, fixed.summary()
    # the fix's own UpdateWorkerPool clears it too (a revision name is unique): its plan says
    # so in every format (fixown32)
    sent = [c.request for c in sandbox.calls if c.short == "UpdateWorkerPool"]
    assert sent and sent[-1].worker_pool.template.revision == ""
    cleared = (
        "the template's fixed revision name pool-release-42 is cleared: the new revision gets "
        "a generated name (a revision name is unique; Terraform's next plan will show it)"
    )
    for fmt in (PlanFormat.TABLE, PlanFormat.JSON, PlanFormat.GCLOUD):
        assert cleared in render_plan(asked.plans[0], fmt), fmt
    ui = ScriptedUI([True])
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ui, None, yes=False))
    said = "\n".join(ui.said)
    assert done.exit_code is ExitCode.OK, said
    runs = sandbox.worker_pool("p", "pool").instance_split_statuses[0].revision
    assert runs != "pool-release-42"  # a new revision, generated name
    # main: "instances now: …; afterwards, as before the change: LATEST 100% → pool-release-42"
    # — the revision it names is not the one the instances run afterwards
    assert "afterwards, as before the change: LATEST 100% → pool-release-42" not in said, said
    # what it clears it must say before it asks, as the service's rollback does (costs())
    assert "fixed revision name pool-release-42" in said, said
