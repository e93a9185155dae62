"""Resource Manager reads (GetProject, GetFolder, the GetIamPolicy of projects, folders and the
organisation) are made once per resource a run, however many secrets, services and names (a
project's id or number) lead to it: iam.py, "Each resource is asked for once"; they share a
300 reads/minute budget (`Limits.resources_rpm`)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from drift.check import CheckResult, run_check
from drift.profiles.loader import load_profile
from drift.sandbox import Call, Sandbox
from drift.sandbox.scenario import default_scenario_path
from drift.settings import load_settings
from tests.cliutil import REPO
from tests.conftest import MakeSandbox

SHAPES = default_scenario_path().with_name("real-shapes.yaml")
PROFILES = REPO / "tests" / "data" / "shapes" / "profiles"
RESOURCE_MANAGER = {"GetProject", "GetFolder", "GetIamPolicy"}


def resource(call: Call) -> str:
    request = call.request
    return str(
        getattr(request, "name", "")
        or getattr(request, "resource", "")
        or getattr(request, "parent", "")
    )


def run(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path, *services: str
) -> CheckResult:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    sandbox.clear_calls()
    profile = load_profile(profiles, "prod")
    return asyncio.run(run_check(profile, load_settings(wait=0), services=list(services) or None))


def repeated(sandbox: Sandbox) -> dict[tuple[str, str], int]:
    seen = Counter((c.short, resource(c)) for c in sandbox.calls if c.short in RESOURCE_MANAGER)
    return {key: n for key, n in seen.items() if n > 1}


def test_folder_and_organisation_policies_are_read_once_per_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """real-shapes: chat's secrets live in acme-prod and in acme-shared (named both by id and
    by number, 600000000002), both under folders/2000 > organizations/1000: each of those
    policies, the folder and acme-shared's project policy, is read once."""
    with Sandbox(SHAPES) as sandbox:
        run(sandbox, monkeypatch, PROFILES, "chat")
        calls = Counter((c.short, resource(c)) for c in sandbox.calls)
    assert repeated(sandbox) == {}
    assert calls[("GetIamPolicy", "folders/2000")] == 1
    assert calls[("GetIamPolicy", "organizations/1000")] == 1
    assert calls[("GetIamPolicy", "projects/600000000002")] == 1


OWN_BY_NUMBER = {
    "projects": {
        "p": {
            "number": 111,
            "region": "us-central1",
            "iam": {"roles/viewer": ["group:x@example.com"]},
            "secrets": {"db-url": {"versions": ["fake-db-url-123456"]}},
            "services": {
                "api": {
                    "template": {
                        "service_account": "api@p.iam.gserviceaccount.com",
                        "env": {"DB": {"secret": "projects/111/secrets/db-url"}},
                    }
                },
                "web": {
                    "template": {
                        "service_account": "web@p.iam.gserviceaccount.com",
                        "env": {"DB": {"secret": "db-url"}},
                    }
                },
            },
        }
    }
}
OWN_PROFILE = """project: p
region: us-central1
services:
  api:
    env:
      DB: {secret: db-url}
  web:
    env:
      DB: {secret: db-url}
"""


def test_the_own_project_policy_is_read_once_when_a_secret_names_it_by_number(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A reference to the workload's own project by number (`projects/111/secrets/db-url`,
    which Cloud Run accepts and keeps as written) beside one by plain name: the project's
    policy is one resource, `projects/111`, read once."""
    sandbox = make_sandbox(OWN_BY_NUMBER)
    (tmp_path / "prod.yaml").write_text(OWN_PROFILE)
    run(sandbox, monkeypatch, tmp_path)
    assert repeated(sandbox) == {}
    calls = Counter((c.short, resource(c)) for c in sandbox.calls)
    assert calls[("GetIamPolicy", "projects/111")] == 1
