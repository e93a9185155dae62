"""revown49 F1: `compare` stops at the first row when both environments run as the same
(non-default) service account (`Context._settings` returns after VALUE_SHARED), so every row
`Field.names_project` added (revrows F2: Direct VPC network/subnet, CMEK key, Binary
Authorization policy, VPC connector) is never read: staging encrypting with prod's key, or
egressing into prod's VPC, is not flagged."""

from __future__ import annotations

from pathlib import Path

from tests.compare.test_compare_rows_naming_a_project import KEY, _compare

SA = "      service_account: runner@acme-shared.iam.gserviceaccount.com\n"


def test_a_shared_account_does_not_hide_prods_key_and_network_in_staging(tmp_path: Path) -> None:
    done, report = _compare(
        tmp_path,
        SA
        + "      vpc_network: projects/acme-prod/global/networks/prod-vpc\n"
        + f"      encryption_key: {KEY}\n",
        SA + f"      vpc_network: prod-vpc\n      encryption_key: {KEY}\n",
    )
    found = {d["target"] for d in report["differences"]}
    assert "setting.service_account" in found, done.stdout  # said: both run as one account
    assert "setting.encryption_key" in found, done.stdout  # staging encrypts with prod's key
    assert "setting.vpc_network" in found, done.stdout  # staging egresses into prod's VPC


def test_a_shared_account_of_the_other_environments_project_is_one_finding(
    tmp_path: Path,
) -> None:
    """The account row is said once (shared), not again as naming prod's project."""
    account = "      service_account: runner@acme-prod.iam.gserviceaccount.com\n"
    done, report = _compare(tmp_path, account, account)
    targets = [d["target"] for d in report["differences"]]
    assert targets == ["setting.service_account"], done.stdout
    assert done.returncode == 1, done.stdout
