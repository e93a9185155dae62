"""A profile naming both a connector and Direct VPC egress (`vpc_connector` beside
`vpc_network` or `vpc_subnet`) passed `profiles validate`; VpcAccess takes "one and only one
of connector and network_interfaces" (catalogue.ONE_VPC), so it could never read clean and
`fix` blocked one row or the other. Now refused at the Direct VPC setting's file:line, as
`manual_instances` beside min/max is (revown46 R5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.fix.test_cpu_below_one import _profile


@pytest.mark.parametrize("direct", ["vpc_network: default", "vpc_subnet: run"])
def test_a_connector_and_direct_vpc_together_are_refused_at_validate(
    tmp_path: Path, direct: str
) -> None:
    _profile(tmp_path, f"      vpc_connector: conn\n      {direct}\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "lab.yaml:7" in out and "one and only one" in out and "Traceback" not in out, out


@pytest.mark.parametrize(
    "settings",
    [
        "vpc_connector: none\n      vpc_network: default",
        "vpc_connector: conn\n      vpc_network: none",
    ],
)
def test_none_on_either_side_is_no_conflict(tmp_path: Path, settings: str) -> None:
    _profile(tmp_path, f"      {settings}\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
