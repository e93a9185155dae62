"""`compare` tells one NFS export however its path is spelled (drift.compare.resources
`_share_key`): `10.0.0.3:/exports/`, `10.0.0.3://exports`, `10.0.0.3:/exports//` and
`10.0.0.3:/exports/./` are the export `10.0.0.3:/exports` (a POSIX path's repeated and trailing
slashes and `.` name the same directory: POSIX.1 "Pathname Resolution"), so staging mounting
prod's share spelled so is `value.shared`. Before: "equivalent", exit 0 (helper-706 F4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compare import stateful

PROD_SHARE = "10.0.0.3:/exports"


@pytest.mark.parametrize(
    "spelled",
    ["10.0.0.3:/exports/", "10.0.0.3://exports", "10.0.0.3:/exports//", "10.0.0.3:/exports/./:ro"],
)
def test_prods_share_spelled_otherwise_is_still_shared(tmp_path: Path, spelled: str) -> None:
    staging = stateful.profile("acme-staging", "services", f"nfs_shares: '{spelled}'")
    prod = stateful.profile("acme-prod", "services", f"nfs_shares: {PROD_SHARE}")
    code, found, table = stateful.compare(tmp_path, staging, prod, "setting.nfs_shares")
    shown = spelled.removesuffix(":ro")
    message = f"api mounts NFS share {shown} in both staging and prod"
    assert stateful.said(found) == [("value.shared", None, message)], table
    assert code == 1


def test_a_share_of_another_directory_is_not_shared(tmp_path: Path) -> None:
    """A path below the export, or beside it, is another directory: each side its own."""
    staging = stateful.profile("acme-staging", "services", "nfs_shares: 10.0.0.3:/exports/st")
    prod = stateful.profile("acme-prod", "services", f"nfs_shares: {PROD_SHARE}")
    code, found, table = stateful.compare(tmp_path, staging, prod, "setting.nfs_shares")
    assert (code, found) == (0, []), table
