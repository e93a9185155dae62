"""A plan that deploys a workload to a project or region not known until apply (revman85 F3:
`project = module.project.project_id` of a project the same plan creates; `after_unknown`
marks `project` or `location`, and `after` leaves it out). drift read the missing value as
"the provider's default", so the workload was checked as the profile's and the check came out
clean, exit 0: an unknown value that looked verified. It may be the profile's workload, or one
in another project or region, leaving the profile's as it is: not verified (exit 3), as a
workload whose name is not known until apply is. Each test failed before the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan


@pytest.mark.parametrize("field", ["project", "location"])
def test_a_service_whose_project_or_region_is_not_known_is_not_verified(
    field: str, tmp_path: Path
) -> None:
    data = plan()
    api = known_api(data)
    api["change"]["after"].pop(field)
    api["change"]["after_unknown"][field] = True
    data["resource_changes"] = [api]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3 and doc["status"] == "incomplete", (done.returncode, doc)
    [(service, target, reason)] = [
        (u["service"], u["target"], u["reason"]) for u in doc["unverified"]
    ]
    assert (service, target) == ("api", "service"), doc
    what = "project" if field == "project" else "region"
    assert (
        f"google_cloud_run_v2_service.api deploys service api to a {what} not known until apply"
        in reason
    ), reason
    assert not doc["findings"], doc


def test_a_known_project_and_region_are_checked_as_before(tmp_path: Path) -> None:
    data = plan()
    data["resource_changes"] = [known_api(data)]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
