"""`vpc_connector: none` states no connector, as `none` does for every sibling row (a Direct
VPC network, a CMEK key, a GPU) and as `profiles validate` already read it beside Direct VPC
(`network.vpc_conflicts`). The row took it for a connector named `none`: a service without a
connector never read clean against it, and `drift fix` of a service with connector c1 swapped
c1 for `projects/P/locations/R/connectors/none` under a plan saying `c1 -> none`; the script
said `--vpc-connector=none` (and `--vpc-connector=` for `""`, which gcloud ignores: its
`VpcConnectorChange` is added only `if args.vpc_connector`, command_lib/run/flags.py). `""`
cleared the connector alone, leaving the egress, which the API refuses ("one and only one of
connector and network_interfaces must be set"). gcloud's `--clear-vpc-connector` clears the
connector and its egress together (config_changes.ClearVpcConnectorChange deletes both
annotations) and, non-interactively, refuses where the egress is all-traffic unless
`--vpc-egress=private-ranges-only` is given (resource_change_validators
.ValidateClearVpcConnector: "Cannot remove VPC connector with VPC egress set to ..."). The
fix and the script now do what gcloud does, and the plan says the egress goes with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.fields import FIELDS
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world, updates
from tests.fix.test_cpu_below_one import _profile, _run

pytestmark = pytest.mark.sandbox

IMAGE = "us-docker.pkg.dev/lab/app:v1"
CONNECTOR = f"projects/{LAB}/locations/us-central1/connectors/c1"


def _world(vpc: dict[str, Any] | None) -> dict[str, Any]:
    api: dict[str, Any] = {
        "containers": [{"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}]}]
    }
    if vpc is not None:
        api["vpcAccess"] = vpc
    return lab_world(template={"image": IMAGE, "port": 8080, "api": api})


@pytest.mark.parametrize("none", ["none", "", " none "])
def test_none_is_no_connector_on_the_row(none: str) -> None:
    row = FIELDS["vpc_connector"]
    assert row.parse(none) == ""
    assert row.same(none, "", (LAB, "us-central1"))
    assert not row.same(none, "c1", (LAB, "us-central1"))
    assert row.flags(row.parse(none), "c1") == (
        ("--clear-vpc-connector", "revision"),
        ("--vpc-egress=private-ranges-only", "revision"),
    )
    assert row.show("") == "none (no connector)"


@pytest.mark.parametrize("none", ["none", "''"])
def test_no_connector_stated_against_none_is_clean(
    make_sandbox: MakeSandbox, tmp_path: Path, none: str
) -> None:
    sandbox = make_sandbox(_world(None))
    _profile(tmp_path, f"      vpc_connector: {none}\n")
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["findings"] == []


@pytest.mark.parametrize("egress", ["ALL_TRAFFIC", "PRIVATE_RANGES_ONLY"])
def test_none_takes_the_connector_and_its_egress_away(
    make_sandbox: MakeSandbox, tmp_path: Path, egress: str
) -> None:
    sandbox = make_sandbox(_world({"connector": CONNECTOR, "egress": egress}))
    _profile(tmp_path, "      vpc_connector: none\n")
    check = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    (finding,) = json.loads(check.stdout)["findings"]
    assert (finding["actual"], finding["expected"]) == ("c1", "none (no connector)"), finding
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert script.returncode == 1, script.stdout + script.stderr
    assert "--clear-vpc-connector" in script.stdout, script.stdout
    assert "--vpc-egress=private-ranges-only" in script.stdout, script.stdout
    assert "--vpc-connector=" not in script.stdout, script.stdout
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    (service,) = json.loads(plan.stdout)["services"]
    assert any("also clears vpc_egress" in n for n in service["notes"]), service["notes"]
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert updates(sandbox), "the fix wrote nothing"
    template = sandbox.service(LAB, "app").template
    assert not template.vpc_access.connector, template.vpc_access
    assert not template.vpc_access.egress, template.vpc_access  # no VPC access left to route
