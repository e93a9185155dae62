"""`drift init --from-live` without `--service` lists every kind first: a list that fails says
what to do next (the permission a denied List needs, `--service NAME` that needs no list; the
project and region Cloud Run did not know), and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Fault, Sandbox
from drift.sandbox.scenario_models import ErrorInfoSpec
from tests.cliutil import drift

PROJECT, REGION = "acme-chat-staging", "us-central1"
WHERE = ("--project", PROJECT, "--region", REGION)


def _init(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    (cwd / "profiles").mkdir(exist_ok=True)
    done = drift("init", "staging", "--from-live", *WHERE, *args, env=env, cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, " ".join(done.stderr.split())


@pytest.mark.parametrize(
    ("method", "permission"),
    [
        ("ListJobs", "run.jobs.list"),
        ("ListWorkerPools", "run.workerpools.list"),
        ("ListServices", "run.services.list"),
    ],
)
def test_a_denied_list_names_its_permission_and_the_way_around(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path, method: str, permission: str
) -> None:
    """Teams whose custom roles predate worker pools: one kind that cannot be listed blocks
    the profile (one missing that kind would later read as covering it), and the message says
    the permission, a role that has it (roles/run.viewer: Cloud Run IAM roles), and that
    `--service NAME` reads the workloads named needing no list."""
    sandbox.inject(Fault(method, "PERMISSION_DENIED"))
    code, said = _init(sandbox_env, tmp_path)
    assert code == 3, said
    assert f"{method} needs {permission} (in roles/run.viewer)" in said, said
    assert "--service NAME" in said and "nothing was written" in said, said
    assert "would later read as covering them all" in said, said
    assert list((tmp_path / "profiles").iterdir()) == []
    code, said = _init(sandbox_env, tmp_path, "--service", "web")
    assert code == 0, said


@pytest.mark.parametrize("status", ["NOT_FOUND", "INVALID_ARGUMENT"])
def test_a_project_or_region_unknown_says_to_check_them(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path, status: str
) -> None:
    sandbox.inject(Fault("ListServices", status))
    code, said = _init(sandbox_env, tmp_path)
    assert code == 2, said
    assert f"ListServices projects/{PROJECT}/locations/{REGION}: {status}" in said, said
    assert f"check --project / --region (project {PROJECT}, region {REGION})" in said, said
    assert list((tmp_path / "profiles").iterdir()) == []


def test_a_list_of_an_api_not_enabled_asks_for_no_permission(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """PERMISSION_DENIED with ErrorInfo SERVICE_DISABLED: enable the API, no role to ask for."""
    info = ErrorInfoSpec(reason="SERVICE_DISABLED", metadata={"service": "run.googleapis.com"})
    sandbox.inject(Fault("ListJobs", "PERMISSION_DENIED", error_info=info))
    code, said = _init(sandbox_env, tmp_path)
    assert code == 3, said
    enable = "gcloud services enable run.googleapis.com --project acme-chat-staging"
    assert f"the Cloud Run Admin API is not enabled in project {PROJECT}: {enable}" in said, said
    assert "roles/run.viewer" not in said, said
