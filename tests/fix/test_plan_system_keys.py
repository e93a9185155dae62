"""A fix's write leaves out the workload's labels and annotations in a system namespace (v2
refuses them: `drift.diff.differences.SYSTEM_NAMESPACES`). A Terraform-written service holds one
(`run.googleapis.com/invoker-iam-disabled`): once removed by the fix's whole write (revreal61 F1:
the plan did not say so; then it named it). A service's write now names only what it sets
(`update_mask`: `drift.fix.update_mask`, review 848 F1), so the service's own labels and
annotations stay byte for byte, that key too, and the plan has nothing to say of them. A job is
written whole (UpdateJob has no mask): its plan names the key its write removes, in every
format, and the fix removes exactly that key."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.check.test_check_masks_inlined_secret import _sandbox
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox
from tests.fix.test_plan_history_unread import _env
from tests.jobs.world import JOB_HEAD, pointed_at, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

KEY = "run.googleapis.com/invoker-iam-disabled"
SERVICE = {
    "labels": {"goog-terraform-provisioned": "true"},
    "annotations": {KEY: "false", "owner.example.com/contact": "core"},
    "template": {"env": {"LICENSE_CODE": "plain-x"}},
}
SAID = f"the write does not resend {KEY}"


def _metadata(sandbox: Sandbox) -> tuple[dict[str, str], dict[str, str]]:
    service = sandbox.service("p", "inl")
    return dict(service.labels), dict(service.annotations)


@pytest.mark.parametrize("fmt", ["table", "json", "yaml", "gcloud"])
def test_the_plan_names_the_system_keys_only_a_jobs_write_leaves_out(
    fmt: str, tmp_path: Path, make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = _sandbox(make_sandbox, SERVICE)
    done = drift("plan", "lab", "--format", fmt, env=_env(sandbox, tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "does not resend" not in done.stdout + done.stderr  # a service's write leaves them
    lab = _job_with_the_key(make_sandbox, monkeypatch, tmp_path)
    done = drift("plan", "prod", "--format", fmt, env=dict(os.environ), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    said = done.stdout + done.stderr
    if fmt == "json":
        said = " ".join(json.loads(done.stdout)["notes"])
    assert f"job job: {SAID}" in said, said
    assert lab.job("p", "job").annotations[KEY] == "false"


def test_the_fix_leaves_a_services_keys_and_removes_only_a_jobs(
    tmp_path: Path, make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = _sandbox(make_sandbox, SERVICE)
    env = {**_env(sandbox, tmp_path), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    labels, annotations = _metadata(sandbox)
    done = drift("fix", "lab", "--yes", "--no-verify", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "does not resend" not in done.stdout + done.stderr
    assert _metadata(sandbox) == (labels, annotations)  # the key too: byte for byte
    lab = _job_with_the_key(make_sandbox, monkeypatch, tmp_path)
    before = dict(lab.job("p", "job").annotations)
    done = drift("fix", "prod", "--yes", "--no-verify", env=dict(os.environ), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert SAID in done.stdout + done.stderr
    assert dict(lab.job("p", "job").annotations) == {k: v for k, v in before.items() if k != KEY}


def _job_with_the_key(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, cwd: Path
) -> Sandbox:
    """The jobs world (tests/jobs/world.py), its job holding KEY and a user annotation, the
    environment pointed at it and `profiles/prod.yaml` in `cwd` changing the job's MODE."""
    job = copy.deepcopy(JOB_SPEC)
    job["annotations"] = {KEY: "false", "owner.example.com/contact": "core"}
    sandbox = pointed_at(make_sandbox(world(jobs={"job": job})), monkeypatch, cwd)
    write_profile(cwd / "profiles", JOB_HEAD + "      MODE: dry\n")
    return sandbox


def test_services_holding_system_keys_get_no_note(sandbox_env: dict[str, str]) -> None:
    """The demo's services all hold `run.googleapis.com/operation-id` (as services a v1 client
    deployed do): their writes leave it (once one note named the three, as removed)."""
    profiles = str(REPO / "profiles")
    done = drift("plan", "e2e", "--profiles", profiles, "--format", "json", env=sandbox_env)
    assert done.returncode == 1, done.stderr
    assert [n for n in json.loads(done.stdout)["notes"] if "does not resend" in n] == []
