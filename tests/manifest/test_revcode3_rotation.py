"""revcode3 (reviewer): the usual Terraform rotation of a secret (`secret_data` changed: the
version is replaced, `google_secret_manager_secret_version` "secret_data … Changing this forces
a new resource") is read as a removal of what `latest` needs. Expected to FAIL on main."""

from __future__ import annotations

import copy
from pathlib import Path

from drift.sandbox import Sandbox
from tests.manifest.plans import plan
from tests.manifest.test_plan_secrets import (  # noqa: F401  (fixtures)
    SECRET,
    VERSION,
    check,
    new_version,
    said,
    sandbox,
    staging,
)


def test_a_rotation_by_replacing_the_version_leaves_latest_verified(
    sandbox: Sandbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    """api's DATABASE_URL is database-url-staging at `latest` (version 1). The plan replaces
    version 1 by a new enabled one (actions delete+create). Once applied, `latest` names the new
    version, ENABLED: nothing a deploy needs is gone. drift says "removed by this plan" and the
    run is incomplete (exit 3) for every such rotation."""
    before = said(check(sandbox, tmp_path, plan()), SECRET)
    data = plan()
    rotation = new_version()
    rotation["change"]["actions"] = ["delete", "create"]
    rotation["change"]["before"] = copy.deepcopy(VERSION)
    data["resource_changes"].append(rotation)
    after = said(check(sandbox, tmp_path, data), SECRET)
    assert after == before, after
