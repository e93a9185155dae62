"""`drift plan` against the sandbox, through the real clients and a real process: the YAML is
accepted by UpdateService as `replace` would send it (a fixed revision name included: the same
file with the old name is refused ALREADY_EXISTS), reads back as the live service plus the
patch, and the gcloud script run against a fake gcloud sends exactly the plan."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2
from ruamel.yaml import YAML

from drift.fix.formats import PlanFormat
from drift.fix.knative import from_knative, writable
from drift.fix.plan import plan_environment
from drift.fix.render import render_plan
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO, drift
from tests.conftest import Clients
from tests.fix.test_gcloud_script import flags, gcloud_dict, run_script

PROJECT = "acme-chat-staging"
API = f"projects/{PROJECT}/locations/us-central1/services/api"


def plan_yaml_for(tmp_path: Path, service: str = "api") -> tuple[str, dict[str, Any]]:
    profile = load_profile(REPO / "profiles", "e2e")
    settings = load_settings(journal_dir=tmp_path / "journal")
    planned = asyncio.run(
        plan_environment(profile, settings, services=[service], environ=dict(os.environ))
    )
    text = render_plan(planned.plan, PlanFormat.YAML, patched=planned.patched)
    return text, YAML(typ="safe", pure=True).load(text)


def test_yaml_with_a_fixed_revision_name_is_accepted_and_the_old_name_refused(
    sandbox_env: dict[str, str], clients: Clients, tmp_path: Path
) -> None:
    live = clients.services.get_service(name=API)
    live.template.revision = "api-release-42"  # a Terraform deploy names its revision
    clients.services.update_service(service=live).result()
    live = clients.services.get_service(name=API)
    text, doc = plan_yaml_for(tmp_path)
    assert "driftNotAppliable" not in doc, doc.get("driftNotAppliable")
    name = doc["spec"]["template"]["metadata"]["name"]
    assert name.startswith("api-release-42-drift-") and len(name) <= 63
    assert "names the new one " + name in text.replace("\n# ", " ")
    back = from_knative(doc)
    # read back: the live service, its revision renamed, the four planned variables changed
    expected = writable(live)
    expected.template.revision = name
    got = writable(back)
    env_got = {v.name: v for v in got.template.containers[0].env}
    env_live = {v.name: v for v in expected.template.containers[0].env}
    planned = {"TESTING", "E2E_OAUTH_SIMULATION_KEY", "E2E_TEST_MODE", "JWT_SECRET_STAGING"}
    assert set(env_got) == set(env_live) - {"TESTING"} | (planned - {"TESTING"})
    assert all(env_got[n] == env_live[n] for n in env_live if n not in planned)
    got.template.containers[0].env = [
        v for v in expected.template.containers[0].env if v.name != "TESTING"
    ]
    expected.template.containers[0].env = got.template.containers[0].env
    assert got == expected
    # what `replace` sends: accepted; the same file with the old name: refused
    stale = run_v2.Service(back)
    stale.template.revision = "api-release-42"
    with pytest.raises(exceptions.AlreadyExists):
        clients.services.update_service(service=stale).result()
    clients.services.update_service(service=back).result()
    after = clients.services.get_service(name=API)
    assert after.latest_created_revision.endswith(f"/revisions/{name}")


def test_cli_yaml_and_gcloud_from_a_real_process(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "api.yaml"
    done = drift(
        "plan",
        "e2e",
        "--service",
        "api",
        "--format",
        "yaml",
        "--output",
        str(out),
        "--include-plain-credentials",
        "--profiles",
        str(REPO / "profiles"),
        env=sandbox_env,
    )
    assert done.returncode == 1, done.stderr  # drift was found; the plan never writes
    # what was written where, and why exit 1: never an exit status alone (revdocs60 F3)
    assert f"wrote {out}: e2e: 4 changes in 1 service, 0 manual steps; e2e: 4 errors" in (
        done.stderr
    ) and done.stderr.rstrip().endswith("drift (exit 1)")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    doc = YAML(typ="safe", pure=True).load(out.read_text())
    assert doc["kind"] == "Service" and "driftNotAppliable" not in doc
    script = drift(
        "plan", "e2e", "--format", "gcloud", "--profiles", str(REPO / "profiles"), env=sandbox_env
    )
    assert script.returncode == 1, script.stderr
    ran, calls = run_script(tmp_path, script.stdout)
    assert ran.returncode == 0, ran.stderr
    by_service = {argv[3]: dict(flags(argv)) for argv in calls}
    assert set(by_service) == {"api", "auth", "web"}
    api = by_service["api"]
    assert api["--remove-env-vars"] == "TESTING"
    assert gcloud_dict(api["--update-env-vars"]) == {"E2E_TEST_MODE": "true"}
    assert gcloud_dict(api["--update-secrets"]) == {
        "E2E_OAUTH_SIMULATION_KEY": "e2e-oauth-simulation-key-staging:latest",
        "JWT_SECRET_STAGING": "jwt-secret-staging:latest",
    }
    assert gcloud_dict(by_service["web"]["--update-env-vars"]) == {
        "NEXT_PUBLIC_WS_URL": "wss://api.staging.acme-chat.dev/ws"
    }
    plan = json.loads(
        drift(
            "plan", "e2e", "-f", "json", "--profiles", str(REPO / "profiles"), env=sandbox_env
        ).stdout
    )
    assert plan["schema"] == "drift.plan/v2"
    assert {c["container"] for s in plan["services"] for c in s["env"]} == {
        "api-1",
        "auth-1",
        "web-1",
    }
