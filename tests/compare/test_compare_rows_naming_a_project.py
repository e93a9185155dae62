"""`compare` flags a setting naming the other environment's project on every row whose value
can name one (`Field.names_project`): not only the service account and the VPC connector but a
Direct VPC network or subnet, a CMEK key and a Binary Authorization policy (SPEC §commands:
compare covers "values that must differ (e.g. project ids)"). Staging egressing into prod's
VPC, or encrypting with prod's key, was "equivalent" (revrows F2). A Shared VPC host that is
neither environment's project, named in both, is not the other environment's project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.fields import FIELDS
from tests.cliutil import drift

KEY = "projects/acme-prod/locations/us-central1/keyRings/prod/cryptoKeys/images"


def _compare(tmp_path: Path, staging: str, prod: str) -> tuple[Any, dict[str, Any]]:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    head = "region: us-central1\nservices:\n  api:\n    settings:\n"
    (profiles / "staging.yaml").write_text(f"project: acme-staging\n{head}{staging}")
    (profiles / "prod.yaml").write_text(f"project: acme-prod\n{head}{prod}")
    done = drift("compare", "staging", "prod", "--profiles", str(profiles), "-f", "json")
    assert "Traceback" not in done.stderr, done.stderr
    return done, json.loads(done.stdout)


def test_a_direct_vpc_network_subnet_or_key_of_the_other_environments_project(
    tmp_path: Path,
) -> None:
    done, report = _compare(
        tmp_path,
        "      vpc_network: projects/acme-prod/global/networks/prod-vpc\n"
        "      vpc_subnet: projects/acme-prod/regions/us-central1/subnetworks/prod-run\n"
        f"      encryption_key: {KEY}\n",
        f"      vpc_network: prod-vpc\n      vpc_subnet: prod-run\n      encryption_key: {KEY}\n",
    )
    found = {d["target"]: d for d in report["differences"]}
    for row in ("vpc_network", "vpc_subnet", "encryption_key"):
        assert f"setting.{row}" in found, done.stdout
        assert "acme-prod" in found[f"setting.{row}"]["message"], done.stdout
    assert done.returncode == 1, done.stdout


def test_a_binary_authorization_policy_of_the_other_environments_project(
    tmp_path: Path,
) -> None:
    """BinaryAuthorization.policy: "Format: projects/{project}/platforms/cloudRun/{name}"."""
    done, report = _compare(
        tmp_path,
        "      binary_authorization: projects/acme-prod/platforms/cloudRun/strict\n",
        "      binary_authorization: projects/acme-prod/platforms/cloudRun/strict\n",
    )
    found = {d["target"] for d in report["differences"]}
    assert "setting.binary_authorization" in found, done.stdout


def test_the_same_shared_vpc_host_in_both_is_not_the_other_environments(tmp_path: Path) -> None:
    net = "projects/net-host/global/networks/shared\n"
    done, report = _compare(tmp_path, f"      vpc_network: {net}", f"      vpc_network: {net}")
    assert done.returncode == 0, done.stdout
    assert report["differences"] == [], done.stdout


def test_every_row_whose_value_is_a_full_resource_name_is_one_compare_reads() -> None:
    """A new row naming a project is one table entry: these are the rows today."""
    named = {name for name, field in FIELDS.items() if field.names_project}
    assert named == {
        "service_account",
        "vpc_connector",
        "vpc_network",
        "vpc_subnet",
        "encryption_key",
        "binary_authorization",
        "service_mesh",
    }
