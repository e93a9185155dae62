"""A fix's write leaves out the workload's labels and annotations in a system namespace (v2
refuses them: `drift.diff.differences.SYSTEM_NAMESPACES`). A Terraform-written service holds one
(`run.googleapis.com/invoker-iam-disabled`): the plan names it in every format, and the fix
removes exactly that key, nothing else of the service's metadata (revreal61 F1: the plan did
not say so)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.check.test_check_masks_inlined_secret import _sandbox
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox
from tests.fix.test_plan_history_unread import _env

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
def test_the_plan_names_the_system_keys_its_write_leaves_out(
    fmt: str, tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = _sandbox(make_sandbox, SERVICE)
    done = drift("plan", "lab", "--format", fmt, env=_env(sandbox, tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    said = done.stdout + done.stderr
    if fmt == "json":
        said = " ".join(json.loads(done.stdout)["notes"])
    assert SAID in said, said


def test_the_fix_removes_only_the_key_its_plan_names(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = _sandbox(make_sandbox, SERVICE)
    env = {**_env(sandbox, tmp_path), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    labels, annotations = _metadata(sandbox)
    done = drift("fix", "lab", "--yes", "--no-verify", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert SAID in done.stdout + done.stderr
    now_labels, now_annotations = _metadata(sandbox)
    assert now_labels == labels
    assert now_annotations == {k: v for k, v in annotations.items() if k != KEY}


def test_workloads_holding_the_same_keys_share_one_note(sandbox_env: dict[str, str]) -> None:
    """The demo's services all hold `run.googleapis.com/operation-id` (as services a v1 client
    deployed do): one note names the three, not three notes saying the same."""
    profiles = str(REPO / "profiles")
    done = drift("plan", "e2e", "--profiles", profiles, "--format", "json", env=sandbox_env)
    assert done.returncode == 1, done.stderr
    notes = [n for n in json.loads(done.stdout)["notes"] if "does not resend" in n]
    assert notes == [
        "api, auth, web: the write does not resend run.googleapis.com/operation-id (labels and "
        "annotations in a system namespace: the Cloud Run Admin API v2 refuses them, and each "
        "setting they stood for is a v2 field, which the write keeps): the fix removes them, "
        "and a rollback does not put them back"
    ], notes
