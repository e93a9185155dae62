"""`vpc_network: none` or `vpc_subnet: none` takes Direct VPC egress away, its network
interface whole (network, subnetwork, tags, and the egress with them), as gcloud's
`--clear-network` does (ClearNetworkInterfacesChange) — but `profiles validate` took a profile
that names a network beside `vpc_subnet: none` (or a subnet or tags beside `vpc_network:
none`), which no service can satisfy: each `drift fix` toggled Direct VPC egress off and on in
production, a new revision each time (revfields90 F3: `fix` 1 took the network away under a
plan saying only `vpc_subnet run-subnet -> none`; `fix` 2 put the network back; `fix` 3 took it
away again). Now such a profile is refused at the `none` line, and a plan taking Direct VPC
egress away says what goes with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fields.test_network_settings import DIRECT, _world
from tests.fix.test_cpu_below_one import _profile, _run

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize(
    ("settings", "line", "named"),
    [
        ("vpc_network: prod-vpc\n      vpc_subnet: none", 7, "vpc_network prod-vpc"),
        ("vpc_network: none\n      vpc_subnet: run-subnet", 6, "vpc_subnet run-subnet"),
        ("vpc_network: none\n      vpc_network_tags: [web]", 6, "vpc_network_tags web"),
        ("vpc_subnet: none\n      vpc_network_tags: web,chat", 6, "vpc_network_tags chat,web"),
    ],
)
def test_direct_vpc_none_beside_a_named_part_is_refused_at_validate(
    tmp_path: Path, settings: str, line: int, named: str
) -> None:
    _profile(tmp_path, f"      {settings}\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert f"lab.yaml:{line}" in out and named in out and "Traceback" not in out, out


@pytest.mark.parametrize(
    "settings",
    [
        "vpc_network: none\n      vpc_subnet: none",
        "vpc_network: none\n      vpc_network_tags: none",
        "vpc_network: prod-vpc\n      vpc_network_tags: none",
        "vpc_network: prod-vpc\n      vpc_subnet: run-subnet\n      vpc_network_tags: [web]",
    ],
)
def test_what_one_service_can_be_is_no_conflict(tmp_path: Path, settings: str) -> None:
    _profile(tmp_path, f"      {settings}\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_plan_taking_direct_vpc_away_says_what_goes_with_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world({"networkInterfaces": [DIRECT]}))
    _profile(tmp_path, "      vpc_subnet: none\n")
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    (service,) = json.loads(plan.stdout)["services"]
    assert [s["name"] for s in service["settings"]] == ["vpc_subnet"], service
    (note,) = [n for n in service.get("notes", []) if "Direct VPC" in n]
    for gone in ("vpc_network prod-vpc", "vpc_network_tags chat,web", "vpc_egress"):
        assert gone in note, note
