"""revimage94: a fix of a job or a worker pool (in place, no canary) whose update Cloud Run
cannot complete — an image missing from its registry ("ERROR: (gcloud.run.jobs.update) Image
'…' not found"), a VPC connector that does not exist — against the sandbox that now fails such
updates as Google does (drift/sandbox/registry.py). `drift fix` exits 4 with Cloud Run's words
and the way back, never a traceback; a pool's instances stay where they were; a refused write
changes nothing; `drift check` afterwards is not clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import world

GONE = "us-docker.pkg.dev/example/migrate:404"
JOB = "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      EXTRA: x\n    settings:\n"
POOL = (
    "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
    "    env:\n      QUEUE: jobs\n    settings:\n"
)


def run(sandbox: Sandbox, tmp_path: Path, profile: str, *args: str) -> Any:
    return drift_on(sandbox, tmp_path, ("prod", profile), *args)


def fixed(sandbox: Sandbox, tmp_path: Path, profile: str) -> str:
    """`drift fix prod --yes`: exit 4, no traceback; its stdout."""
    done = run(sandbox, tmp_path, profile, "fix", "prod", "--yes")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return str(done.stdout)


def not_clean(sandbox: Sandbox, tmp_path: Path, profile: str) -> list[dict[str, Any]]:
    checked = run(sandbox, tmp_path, profile, "check", "prod", "--format", "json")
    report = json.loads(checked.stdout)
    assert checked.returncode == 1 and report["status"] == "drift", checked.stdout
    return list(report["findings"])


def test_a_job_update_to_a_missing_image_fails_and_says_how_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(missing_images=[GONE]))
    profile = JOB + f"      image: {GONE}\n"
    out = fixed(sandbox, tmp_path, profile)
    assert f"job job: the update landed but did not complete (Image '{GONE}' not found." in out
    # revfailed95: drift puts back what the job ran (a job left so fails its next execution)
    assert "drift put back what it ran before: as it was before the change" in out, out
    job = sandbox.job("p", "job")
    assert job.terminal_condition.state.name == "CONDITION_SUCCEEDED"
    assert job.template.template.containers[0].image != GONE
    # `check` reports the drift the fix meant to fix; no failed rollout is left behind
    findings = not_clean(sandbox, tmp_path, profile)
    assert "revision.rollout" not in [f["rule"] for f in findings], findings


def test_a_failed_job_update_names_cloud_runs_reason(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(missing_images=[GONE]))
    out = fixed(sandbox, tmp_path, JOB + f"      image: {GONE}\n")
    assert f"(Image '{GONE}' not found.; Cloud Run's reason: CONTAINER_MISSING). drift" in out


@pytest.mark.parametrize("answer", ["refused", "revision"])
def test_a_job_update_to_a_missing_connector(
    answer: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(missing_connectors=["gone"], missing_connector=answer))
    before = sandbox.job("p", "job")
    profile = JOB + "      vpc_connector: gone\n"
    out = fixed(sandbox, tmp_path, profile)
    words = (
        "VPC connector projects/p/locations/us-central1/connectors/gone does not exist, or "
        "Cloud Run does not have permission to use it."
    )
    assert words in out, out
    if answer == "refused":  # nothing was written
        assert "nothing was changed" in out
        assert sandbox.job("p", "job").etag == before.etag
    else:
        assert "the update landed but did not complete" in out
        assert "Cloud Run's reason: VPC_NETWORK_NOT_FOUND). drift put back what it ran" in out
        assert sandbox.job("p", "job").terminal_condition.state.name == "CONDITION_SUCCEEDED"
    assert not_clean(sandbox, tmp_path, profile)


def test_a_pool_update_to_a_missing_image_is_put_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(missing_images=[GONE]))
    before = sandbox.worker_pool("p", "pool")
    profile = POOL + f"      image: {GONE}\n"
    out = fixed(sandbox, tmp_path, profile)
    after = sandbox.worker_pool("p", "pool")
    failed = out.split("did not complete (Revision '", 1)[1].split("'", 1)[0]
    assert (
        f"worker pool pool: the update landed but did not complete (Revision '{failed}' is not "
        f"ready and cannot serve traffic. Image '{GONE}' not found."
    ) in out, out
    assert "drift put back what it ran before" in out, out
    assert [s.percent for s in after.instance_split_statuses] == [
        s.percent for s in before.instance_split_statuses
    ]
    assert failed not in {s.revision for s in after.instance_split_statuses}
    rules = [f["rule"] for f in not_clean(sandbox, tmp_path, profile)]
    assert "revision.rollout" not in rules, rules
