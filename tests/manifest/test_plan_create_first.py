"""A replace that creates first (`actions` ["create", "delete"]: `lifecycle {
create_before_destroy = true }`) of a Cloud Run workload under the name it has: Terraform
creates the new one while the old one still holds that name, and Cloud Run refuses it (409
"Resource already exists": terraform-provider-google#16591, google.aip.dev/133), so the apply
fails and the workload keeps running as it is. What the plan's `after` says is never what
runs: not verified, never clean (revtf87 F7); so too ["create", "forget"], which leaves the old
one running. Deleting first (["delete", "create"]) runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

API = "google_cloud_run_v2_service.api"


def _replace(data: dict[str, Any], actions: list[str], **after: Any) -> None:
    api = known_api(data)
    change = api["change"]
    change["actions"] = actions
    change["before"] = {"name": "api", "project": "acme-chat-staging", "location": "us-central1",
                        "deletion_protection": False}  # fmt: skip
    change["after"].update(after)


@pytest.mark.parametrize("actions", [["create", "delete"], ["create", "forget"]])
def test_a_replace_creating_first_under_the_same_name_is_not_verified(
    tmp_path: Path, actions: list[str]
) -> None:
    """["create", "forget"]: the old one is left running (`destroy = false`), holding the
    name all the while."""
    data = plan()
    _replace(data, actions)
    done = check_offline(tmp_path, data, API_ONLY, "--service", "api", "-f", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 3, report  # was: clean, exit 0
    (unverified,) = report["unverified"]
    assert unverified["service"] == "api" and API in unverified["reason"]
    assert "already exists" in unverified["reason"]


def test_a_replace_deleting_first_or_renaming_is_checked_as_it_was(tmp_path: Path) -> None:
    data = plan()
    _replace(data, ["delete", "create"])
    done = check_offline(tmp_path, data, API_ONLY, "--service", "api", "-f", "json")
    assert done.returncode == 0, done.stdout
    data = plan()
    _replace(data, ["create", "delete"])
    change = next(rc for rc in data["resource_changes"] if rc["address"] == API)["change"]
    change["before"]["name"] = "api-old"  # a rename: api is created, api-old deleted
    done = check_offline(tmp_path, data, API_ONLY, "--service", "api", "-f", "json")
    assert done.returncode == 0, done.stdout
