"""A network or subnetwork named by its short name is the workload's own project's (and, for
a subnetwork, its region's). drift compared two names by project only when both were full, so
a service egressing into a Shared VPC host's `default` (`projects/net-host/global/networks/
default`) read clean against a profile's `vpc_network: default` (revown46 R1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.fields.test_network_settings import _findings, _world
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile


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
        # the subnetwork unset is the network's (the host's) subnetwork of its name
        ({"network": "projects/net-host/global/networks/run"}, "vpc_subnet: run"),
        # the own project's subnetwork of that name in another region
        (
            {"network": "n", "subnetwork": f"projects/{LAB}/regions/europe-west1/subnetworks/run"},
            "vpc_subnet: run",
        ),
    ],
)
def test_another_projects_network_is_drift_against_the_own_one_of_its_short_name(
    make_sandbox: MakeSandbox, tmp_path: Path, interface: dict[str, Any], setting: str
) -> None:
    sandbox = make_sandbox(_world({"networkInterfaces": [interface]}))
    _profile(tmp_path, f"      {setting}\n")
    found = _findings(sandbox, tmp_path)
    assert found, "the service egresses into another project's VPC; the profile names its own"


@pytest.mark.parametrize(
    ("interface", "setting"),
    [
        ({"network": f"projects/{LAB}/global/networks/default"}, "vpc_network: default"),
        ({"network": "default"}, f"vpc_network: projects/{LAB}/global/networks/default"),
        (
            {"network": "projects/net-host/global/networks/shared"},
            "vpc_network: projects/net-host/global/networks/shared",
        ),
        (
            {"subnetwork": f"projects/{LAB}/regions/us-central1/subnetworks/run"},
            "vpc_subnet: run",
        ),
        ({"network": "run"}, f"vpc_subnet: projects/{LAB}/regions/us-central1/subnetworks/run"),
        (
            {"network": "projects/net-host/global/networks/run"},
            "vpc_subnet: projects/net-host/regions/us-central1/subnetworks/run",
        ),
    ],
)
def test_the_own_network_by_either_name_and_a_hosts_by_its_full_name_read_clean(
    make_sandbox: MakeSandbox, tmp_path: Path, interface: dict[str, Any], setting: str
) -> None:
    sandbox = make_sandbox(_world({"networkInterfaces": [interface]}))
    _profile(tmp_path, f"      {setting}\n")
    found = _findings(sandbox, tmp_path)
    assert found == [], [(f["target"], f["message"]) for f in found]
