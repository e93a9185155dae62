"""revown46: review of the merges fixnames, extend2, fixroundtrip and the lead's commits
(8f08d3b..main). Each test shows one finding on main's code and is expected to FAIL there."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fields.test_network_settings import _world
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile, _run
from tests.live.shapes import run
from tests.live.test_secret_named_by_number import OWN_PROFILE, own_by_number


def _setting_findings(sandbox: Sandbox, tmp_path: Path) -> list[dict[str, Any]]:
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert done.returncode in (0, 1, 3), done.stdout + done.stderr
    return [f for f in json.loads(done.stdout)["findings"] if f["target"].startswith("setting.")]


# --- R1 (Trust): a Shared VPC host's network reads as the workload's own by its short name ---


@pytest.mark.parametrize(
    ("interface", "setting"),
    [
        ({"network": "projects/net-host/global/networks/default"}, "vpc_network: default"),
        (
            {
                "network": "projects/net-host/global/networks/shared",
                "subnetwork": "projects/net-host/regions/us-central1/subnetworks/run",
            },
            "vpc_subnet: run",
        ),
    ],
)
def test_another_projects_network_is_not_the_own_one_of_that_short_name(
    make_sandbox: MakeSandbox, tmp_path: Path, interface: dict[str, Any], setting: str
) -> None:
    """network.py same_name's docstring: "A network or subnetwork by its short name is the one
    of the workload's project"; a full name of project net-host (a Shared VPC host) is
    another network, yet only two FULL names are compared by project."""
    sandbox = make_sandbox(_world({"networkInterfaces": [interface]}))
    _profile(tmp_path, f"      {setting}\n")
    found = [
        f for f in _setting_findings(sandbox, tmp_path) if f["target"].startswith("setting.vpc")
    ]
    assert found, "the service egresses into net-host's VPC; the profile names lab's own: clean"


# --- R2 (Trust/Usability): a manual instance count of 0 cannot be stated or round-tripped ---

ZERO = {"scalingMode": "MANUAL", "manualInstanceCount": 0}


def test_a_manual_count_of_zero_is_a_value_a_profile_can_state(tmp_path: Path) -> None:
    """gcloud's ScalingValue refuses only `instance_count < 0` (command_lib/run/flags.py:1479),
    `gcloud beta run services update --scaling=0` parses (repro gcloud.sh); drift's _parse
    refuses 0 citing that very message ("should be a positive integer")."""
    _profile(tmp_path, "      manual_instances: 0\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_from_live_of_a_service_manually_at_zero_writes_a_profile_drift_accepts(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    world = _world(None)
    world["projects"][LAB]["services"]["app"]["scaling"] = ZERO
    sandbox = make_sandbox(world)
    (tmp_path / "profiles").mkdir()
    init = _run(
        sandbox,
        tmp_path,
        "init",
        "lab",
        "--from-live",
        "--project",
        LAB,
        "--region",
        "us-central1",
    )
    assert init.returncode in (0, 3), init.stdout + init.stderr
    text = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert "manual_instances: 0" in text, text
    done = _run(sandbox, tmp_path, "check", "lab", "--no-history")
    assert done.returncode in (0, 1), done.stdout + done.stderr


# --- R3 (Trust): manual -> auto: Cloud Run pins min = max = the old count; the sandbox not ---


def test_manual_to_auto_leaves_service_min_and_max_at_the_manual_count(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """manual-scaling page, "Switching between automatic and manual scaling": from manual to
    automatic, "If you specify neither of these [service-level min and max] in the command
    that switches modes, service-level minimum and maximum instances inherit the manual
    instance count". drift's write (manual_scaling._write) names neither; its plan says only
    `manual_instances 3 -> auto`; the sandbox leaves min/max at 0, so the suite agrees."""
    world = _world(None)
    world["projects"][LAB]["services"]["app"]["scaling"] = {
        "scalingMode": "MANUAL",
        "manualInstanceCount": 3,
    }
    sandbox = make_sandbox(world)
    _profile(tmp_path, "      manual_instances: auto\n")
    plan = _run(sandbox, tmp_path, "plan", "lab")
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    held = sandbox.service(LAB, "app").scaling
    said = "min" in plan.stdout.lower() and "3" in plan.stdout
    assert (held.min_instance_count, held.max_instance_count) == (3, 3) or said, (
        plan.stdout,
        held,
    )


# --- R4 (Trust): a secret's target changes with whether GetProject could be read ---


def test_own_secret_named_by_number_keeps_its_target_when_getproject_is_denied(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """diff/secrets.py secret_findings: key = NAME when project_of(...) == own, else
    PROJECT/NAME; project_of gives the NUMBER back when GetProject was refused. api holds
    `projects/111/secrets/db-url` (p's own number): `secret.db-url` in one run,
    `secret.111/db-url` in the next without resourcemanager.projects.get — a baseline or an
    ignore of the first no longer holds."""
    (tmp_path / "prod.yaml").write_text(OWN_PROFILE)
    disabled = own_by_number()
    secret = disabled["projects"]["p"]["secrets"]["db-url"]
    secret["versions"] = [{"value": "fake-db-url-123456", "state": "DISABLED"}]
    sandbox = make_sandbox(disabled)
    allowed = run(sandbox, monkeypatch, tmp_path)
    world = copy.deepcopy(disabled)
    world["faults"] = [{"method": "GetProject", "code": "PERMISSION_DENIED"}]
    denied_sandbox = make_sandbox(world)
    denied = run(denied_sandbox, monkeypatch, tmp_path)
    first = {(f.rule, f.target) for f in allowed.report.findings if f.service == "api"}
    second = {(f.rule, f.target) for f in denied.report.findings if f.service == "api"}
    assert ("secret.disabled", "secret.db-url") in first, first
    assert {t for t in second if t[0] == "secret.disabled"} == {
        t for t in first if t[0] == "secret.disabled"
    }, second


# --- R5 (Usability): a profile stating both a connector and Direct VPC is not refused ---


def test_a_connector_and_a_direct_vpc_network_together_are_refused_at_validate(
    tmp_path: Path,
) -> None:
    """VpcAccess: "one and only one of connector and network_interfaces must be set"
    (catalogue.ONE_VPC); the profile can never read clean and fix blocks either row, as
    manual_instances beside min_instances is refused (manual_conflicts)."""
    _profile(tmp_path, "      vpc_connector: conn\n      vpc_network: default\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
