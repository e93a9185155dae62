"""The catalogue's Direct VPC egress rows (drift/fields/network.py), end to end through the
real `drift check`, `plan` and `fix` on the sandbox, on a service with a sidecar and a tag at
0 %: RevisionTemplate.vpc_access.network_interfaces (network, subnetwork, tags)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world, updates
from tests.fix.test_cpu_below_one import _profile, _run

IMAGE = "us-docker.pkg.dev/lab/app:v1"
SIDECAR = {"name": "otel", "image": "us-docker.pkg.dev/lab/otel:1"}
DIRECT = {"network": "prod-vpc", "subnetwork": "run-subnet", "tags": ["web", "chat"]}


def _world(vpc: dict[str, Any] | None) -> dict[str, Any]:
    app = {"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}]}
    api: dict[str, Any] = {"containers": [app, SIDECAR]}
    if vpc is not None:
        api["vpcAccess"] = vpc
    return lab_world(
        template={"image": IMAGE, "port": 8080, "api": api},
        history=[{}],
        traffic=[{"latest": True, "percent": 100}, {"revision": 1, "percent": 0, "tag": "e2e"}],
    )


def _findings(sandbox: Sandbox, tmp_path: Path) -> list[dict[str, Any]]:
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert done.returncode in (0, 1, 3), done.stdout + done.stderr
    found = json.loads(done.stdout)
    return [f for f in found["findings"] if f["target"].startswith("setting.vpc")]


@pytest.mark.parametrize(
    ("vpc", "settings", "actual", "flag", "written"),
    [
        (
            {"networkInterfaces": [DIRECT]},
            "vpc_network: other-vpc",
            "prod-vpc",
            "--network=other-vpc",
            {"network": "other-vpc", "subnetwork": "run-subnet", "tags": ["web", "chat"]},
        ),
        (
            None,
            "vpc_network: prod-vpc\n      vpc_subnet: run-subnet",
            "none (no Direct VPC egress)",
            "--subnet=run-subnet",
            {"network": "prod-vpc", "subnetwork": "run-subnet"},
        ),
        ({"networkInterfaces": [DIRECT]}, "vpc_network: none", "prod-vpc", "--clear-network", None),
        (
            {"networkInterfaces": [DIRECT]},
            "vpc_network_tags: [chat, api]",
            "chat,web",
            "--network-tags=api,chat",
            {"network": "prod-vpc", "subnetwork": "run-subnet", "tags": ["api", "chat"]},
        ),
    ],
)
def test_direct_vpc_drift_is_found_planned_and_fixed(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    vpc: dict[str, Any] | None,
    settings: str,
    actual: str,
    flag: str,
    written: dict[str, Any] | None,
) -> None:
    sandbox = make_sandbox(_world(vpc))
    _profile(tmp_path, f"      {settings}\n")
    found = _findings(sandbox, tmp_path)
    assert found and found[0]["actual"] == actual, found
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert script.returncode == 1 and flag in script.stdout, script.stdout + script.stderr
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    # exit 1: the revision tagged e2e at 0 % still runs what it ran (a patch is the template's)
    assert done.returncode == 1 and "traffic moved to" in done.stdout, done.stdout + done.stderr
    assert updates(sandbox), "the fix wrote nothing"
    template = sandbox.service(LAB, "app").template
    interfaces = [
        {
            k: v
            for k, v in (("network", n.network), ("subnetwork", n.subnetwork), ("tags", n.tags))
            if v
        }
        for n in template.vpc_access.network_interfaces
    ]
    assert interfaces == ([written] if written else []), interfaces
    assert [c.name for c in template.containers] == ["app", "otel"]  # the sidecar kept
    after = _findings(sandbox, tmp_path)
    assert after and all(f.get("tag") == "e2e" for f in after), after


def test_direct_vpc_where_a_connector_serves_is_a_manual_step_and_as_run_is_clean(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """VPC access names a connector or network interfaces, one and only one (the API's
    "one and only one of connector and network_interfaces must be set"): no patch adds a
    network beside the connector; the step says how. Tags in another order are the same."""
    connector = {"connector": f"projects/{LAB}/locations/us-central1/connectors/c1"}
    sandbox = make_sandbox(_world(connector))
    _profile(tmp_path, "      vpc_network: prod-vpc\n")
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    (service,) = json.loads(plan.stdout)["services"]
    assert service["settings"] == [], plan.stdout
    (step,) = [m for m in service["manual"] if "connector" in m["reason"]]
    assert "connector c1" in step["reason"], step
    switch, egress = step["commands"]
    assert switch.endswith("--network=prod-vpc --clear-vpc-connector"), step
    # gcloud's --clear-vpc-connector deletes the egress too (ClearVpcConnectorChange): it is
    # set again after, and the step says why (helper-557 G2)
    assert egress.endswith("--vpc-egress=<EGRESS>") and "--clear" not in egress, step
    assert "clears the VPC egress too" in step["reason"], step
    clean = make_sandbox(_world({"networkInterfaces": [DIRECT]}))
    _profile(
        tmp_path,
        "      vpc_network: projects/fix-lab/global/networks/prod-vpc\n"
        "      vpc_subnet: run-subnet\n      vpc_network_tags: chat,web\n",
    )
    assert _findings(clean, tmp_path) == []


@pytest.mark.parametrize(
    "interfaces",
    [[{"tags": ["web"]}], [{"network": "a"}, {"network": "b"}]],
)
def test_the_sandbox_refuses_an_interface_google_documents_as_invalid(
    interfaces: list[dict[str, Any]],
) -> None:
    from google.cloud import run_v2

    from drift.sandbox.validate import validate_vpc_access

    template = run_v2.RevisionTemplate(vpc_access={"network_interfaces": interfaces})
    with pytest.raises(Exception, match="network_interfaces"):
        validate_vpc_access(run_v2.RevisionTemplate.pb(template))
