"""revcode3 (reviewer): repro tests of a line-by-line read of drift/manifest, expected to FAIL
on main until fixed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan


def test_a_plan_that_destroys_a_profiled_service_is_not_a_clean_gate(tmp_path: Path) -> None:
    """The plan deletes google_cloud_run_v2_service.web, which the profile says must run. After
    apply `drift check` reports service.missing (an error); the gate before it says only
    "note: ... removed by the plan: not checked" and exits 0."""
    data = plan()
    api = known_api(data)
    data["resource_changes"] = [api] + [
        rc for rc in data["resource_changes"] if rc["address"] == "google_cloud_run_v2_service.web"
    ]
    assert data["resource_changes"][1]["change"]["actions"] == ["delete"]
    profile = API_ONLY + "  web: {}\n"
    done = check_offline(tmp_path, data, profile, "-f", "json")
    doc = json.loads(done.stdout)
    print(done.stderr, json.dumps(doc.get("notes"), indent=1))
    assert done.returncode != 0, "a plan that destroys a service the profile expects is clean"


def test_a_plan_that_destroys_a_service_and_creates_it_at_another_address_is_not_clean(
    tmp_path: Path,
) -> None:
    """A refactor into a module without a `moved` block: Terraform destroys
    google_cloud_run_v2_service.api and creates module.app.google_cloud_run_v2_service.api, the
    same Cloud Run service (its URL, revisions and traffic history go, or the create fails with
    ALREADY_EXISTS). drift checks the new address only and calls the plan clean, the deletion a
    note."""
    import copy

    data = plan()
    api = known_api(data)
    gone = copy.deepcopy(api)
    gone["change"]["actions"] = ["delete"]
    gone["change"]["before"] = copy.deepcopy(api["change"]["after"])
    gone["change"]["after"] = None
    created = copy.deepcopy(api)
    created["address"] = "module.app.google_cloud_run_v2_service.api"
    created["module_address"] = "module.app"
    created["change"]["actions"] = ["create"]
    data["resource_changes"] = [gone, created]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    print(json.dumps(doc.get("notes"), indent=1), doc["status"])
    assert done.returncode != 0, "a plan that deletes and re-creates api is clean"
