"""A variable of another project's secret named by id (`projects/rt-shared/secrets/…`, as
Terraform and the console write it), repointed by hand: `plan --format gcloud` printed no
command, only "not in the command above: gcloud names a secret of another project by project
number only" — there was no command above, and the number was known (revroundtrip F4).
gcloud's `--update-secrets` takes `projects/NUMBER/secrets/NAME:VERSION` only
(googlecloudsdk command_lib/run/secrets_mapping.py); drift reads the project (GetProject,
once, `drift.live.access.name_projects`) and names it by that number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.fix.roundtrip_lab import SA, Lab, template, world

pytestmark = pytest.mark.sandbox


def _shared(iam: bool = True) -> dict[str, Any]:
    ref = {"secret": "projects/rt-shared/secrets/partner-key", "version": "1"}
    scenario = world(
        {"template": template([{"name": "MODE", "valueSource": {"secretKeyRef": ref}}])}
    )
    scenario["projects"]["rt-shared"] = {
        "number": 600000000032,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]},
        "secrets": {"partner-key": {"versions": ["fake-v1-0a1b2c3d", "fake-v2-4e5f6a7b"]}},
    }
    return scenario


def _version_2(service: Any) -> None:
    service.template.containers[0].env[0].value_source.secret_key_ref.version = "2"


def test_gcloud_plan_names_another_projects_secret_by_its_number(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    one = Lab(make_sandbox(_shared()), tmp_path)
    try:
        one.hand(_version_2)
        script = one.cli("plan", "prod", "--format", "gcloud").stdout
    finally:
        one.channel.close()
    runnable = [line for line in script.splitlines() if not line.startswith("#")]
    assert "gcloud run services update app \\" in runnable, script
    assert "  --update-secrets=MODE=projects/600000000032/secrets/partner-key:1" in script, script
    assert "not in" not in script, script


def test_getproject_denied_the_number_comes_from_secret_managers_answer(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """GetProject denied on the other project: Secret Manager's answer for the secret asked
    by id names its project by number (`drift.live.version_values.learn_number`, revown46 R4),
    so the command is runnable; never "the command above" where there is none."""
    scenario = _shared()
    scenario["projects"]["rt-shared"]["deny"] = ["GetProject"]
    one = Lab(make_sandbox(scenario), tmp_path)
    try:
        one.hand(_version_2)
        script = one.cli("plan", "prod", "--format", "gcloud").stdout
    finally:
        one.channel.close()
    assert "the command above" not in script, script
    assert "--update-secrets=MODE=projects/600000000032/secrets/partner-key:1" in script, script


def test_a_manual_steps_repoint_names_another_projects_secret_by_its_number(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The manual step for a DISABLED version of another project's secret named by id: its
    `--update-secrets` repoint printed `projects/rt-shared/secrets/…`, which gcloud refuses
    ("'projects/rt-shared/secrets/partner-key' is not a valid secret name": only
    `projects/[0-9]{1,19}/secrets/…` is taken as another project's, helper-557 G1) where the
    script of the same plan named it by number."""
    scenario = _shared()
    ref = scenario["projects"]["rt-prod"]["services"]["app"]["template"]["containers"][0]
    ref["env"][0]["valueSource"]["secretKeyRef"]["version"] = "2"
    versions = scenario["projects"]["rt-shared"]["secrets"]["partner-key"]["versions"]
    versions[1] = {"value": versions[1], "state": "DISABLED"}
    one = Lab(make_sandbox(scenario), tmp_path)
    try:
        plan = one.cli("plan", "prod").stdout
    finally:
        one.channel.close()
    repoint = [line for line in plan.splitlines() if "--update-secrets=" in line]
    assert repoint, plan
    assert all(
        "--update-secrets=MODE=projects/600000000032/secrets/partner-key:<VERSION>" in line
        for line in repoint
    ), plan
    assert "projects/rt-shared/secrets" not in plan, plan
