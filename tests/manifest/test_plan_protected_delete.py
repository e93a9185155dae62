"""A plan that deletes a Cloud Run workload whose `deletion_protection` is not false in
Terraform state (helper-600 F3). google provider, google_cloud_run_v2_service
`deletion_protection`: "When the field is set to true or unset in Terraform state, a
'terraform apply' or 'terraform destroy' that would delete the service will fail" (the job's
and worker pool's say the same). The apply then fails at the delete and the workload keeps
running as it is: a same-name replace deleting first (`-replace`, `replace_triggered_by`), a
move without a `moved` block and a plain delete are not verified (exit 3), as a replace
creating first is (`created_first`). Before, the first two were checked as deployed (exit 0,
a false clean) and the third was `service.missing`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, moved_without_a_block, plan

API = "google_cloud_run_v2_service.api"
FAILS = "the apply fails at the delete"
PROTECTION = [True, None]  # None: unset in state, null in the plan (the default is true)
ABSENT = "absent"
"""No such key in `before`: a provider without the field (google < 6.0.0), which deletes."""


def _before(api: dict[str, Any], protection: bool | None | str) -> dict[str, Any]:
    before = copy.deepcopy(api["change"]["after"])
    if protection == ABSENT:
        before.pop("deletion_protection", None)
    else:
        before["deletion_protection"] = protection
    return before


def _reasons(doc: dict[str, Any]) -> list[str]:
    return [u["reason"] for u in doc["unverified"] if u["service"] == "api"]


@pytest.mark.parametrize("protection", PROTECTION)
def test_a_same_name_replace_deleting_first_is_not_verified(
    tmp_path: Path, protection: bool | None
) -> None:
    data = plan()
    api = known_api(data)
    api["action_reason"] = "replace_by_request"
    api["change"]["actions"] = ["delete", "create"]
    api["change"]["before"] = _before(api, protection)
    data["resource_changes"] = [api]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.stdout, done.stderr)  # was: clean, exit 0
    assert doc["findings"] == []
    (reason,) = _reasons(doc)
    assert API in reason and FAILS in reason and "keeps running as it is" in reason, reason
    assert "deletion_protection is not false" in reason, reason


@pytest.mark.parametrize("protection", [False, ABSENT])
def test_a_same_name_replace_deleting_first_with_protection_off_is_checked(
    tmp_path: Path, protection: bool | str
) -> None:
    """Off, or a state with no such field (helper-607 F2: a provider before the field, whose
    delete goes through, was taken for protected)."""
    data = plan()
    api = known_api(data)
    api["change"]["actions"] = ["delete", "create"]
    api["change"]["before"] = _before(api, protection)
    data["resource_changes"] = [api]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("protection", PROTECTION)
def test_a_move_without_a_moved_block_of_a_protected_service_is_not_verified(
    tmp_path: Path, protection: bool | None
) -> None:
    data = plan()
    moved_without_a_block(data, _before(known_api(data), protection))
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.stdout, done.stderr)  # was: clean, exit 0
    assert doc["findings"] == []
    (reason,) = _reasons(doc)
    assert reason.startswith(f"{tmp_path / 'plan.json'}: {API} destroys service api"), reason
    assert FAILS in reason and "keeps running as it is" in reason, reason
    assert "module.app.google_cloud_run_v2_service.api does not create it again" in reason


@pytest.mark.parametrize("protection", PROTECTION)
def test_a_plain_delete_of_a_protected_service_is_not_verified_not_missing(
    tmp_path: Path, protection: bool | None
) -> None:
    data = plan()
    api = known_api(data)
    api["change"]["actions"] = ["delete"]
    api["change"]["before"] = _before(api, protection)
    api["change"]["after"] = None
    data["resource_changes"] = [api]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.stdout, done.stderr)  # was: service.missing, exit 1
    assert doc["findings"] == []
    (reason,) = _reasons(doc)
    assert FAILS in reason and "keeps running as it is" in reason, reason


def test_a_protected_job_deleted_is_not_verified(tmp_path: Path) -> None:
    data = plan()
    job = {
        "address": "google_cloud_run_v2_job.migrate",
        "mode": "managed",
        "type": "google_cloud_run_v2_job",
        "name": "migrate",
        "change": {
            "actions": ["delete"],
            "before": {"name": "db-migrate", "project": "acme-chat-staging",
                       "location": "us-central1", "deletion_protection": None},
            "after": None,
            "after_unknown": {},
        },
    }  # fmt: skip
    data["resource_changes"] = [known_api(data), job]
    profile = API_ONLY + "jobs:\n  db-migrate: {}\n"
    done = check_offline(tmp_path, data, profile, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.stdout, done.stderr)  # was: service.missing, exit 1
    assert not [f for f in doc["findings"] if f["rule"] == "service.missing"], doc["findings"]
    (reason,) = [u["reason"] for u in doc["unverified"] if u["service"] == "db-migrate"]
    assert "destroys job db-migrate" in reason and FAILS in reason, reason


def test_a_v1_service_deleted_without_protection_in_state_is_missing(tmp_path: Path) -> None:
    """The v1 resource (google_cloud_run_service) has no protection by default: its delete
    goes through, and the service is missing once applied."""
    data = plan()
    v1 = {
        "address": "google_cloud_run_service.api",
        "mode": "managed",
        "type": "google_cloud_run_service",
        "name": "api",
        "change": {
            "actions": ["delete"],
            "before": {"name": "api", "project": "acme-chat-staging", "location": "us-central1"},
            "after": None,
            "after_unknown": {},
        },
    }
    data["resource_changes"] = [v1]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert [f["rule"] for f in doc["findings"]] == ["service.missing"], doc["findings"]
