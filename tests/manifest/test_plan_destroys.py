"""`check --manifest` of a Terraform plan that destroys a Cloud Run workload the profile
expects (`actions` ["delete"]: Terraform's JSON output format). SPEC calls `--manifest` the
gate between rendering a deploy and running it, and once the plan is applied the live check
says `service.missing` (an error): the gate says the same, with the plan's address, in every
format. A destroy plus a create of the same workload at another address (a move into a module
without a `moved` block) is not a removal: the created one is checked, and one line names both
addresses. revcode3 F1: the destroy was only a note, "removed by the plan: not checked", and
the run was clean (exit 0)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from drift.findings import finding_id
from tests.manifest.plans import API_ONLY, check_offline, known_api, moved_without_a_block, plan

WEB = "google_cloud_run_v2_service.web"
WITH_WEB = API_ONLY + "  web: {}\n"


def _destroying_web() -> dict[str, Any]:
    """The repository's plan with api known (clean against API_ONLY) and web destroyed."""
    data = plan()
    api = known_api(data)
    data["resource_changes"] = [api] + [
        rc for rc in data["resource_changes"] if rc["address"] == WEB
    ]
    assert data["resource_changes"][1]["change"]["actions"] == ["delete"]
    return data


def _destroy(address: str, kind: str, name: str, region: str = "us-central1") -> dict[str, Any]:
    before = {"name": name, "project": "acme-chat-staging", "location": region,
              "deletion_protection": False}  # fmt: skip
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "change": {"actions": ["delete"], "before": before, "after": None, "after_unknown": {}},
    }


def _missing(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (f["severity"], f["service"], f["target"], f["message"])
        for f in doc["findings"]
        if f["rule"] == "service.missing"
    ]


def test_a_plan_destroying_a_profiled_service_reports_it_missing(tmp_path: Path) -> None:
    """The same rule, severity and id as the live check's once applied; the message names the
    plan's address."""
    done = check_offline(tmp_path, _destroying_web(), WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    file = tmp_path / "plan.json"
    message = f"service web is destroyed by this plan: {WEB} ({file})"
    assert _missing(doc) == [("error", "web", "service", message)], doc["findings"]
    [web] = [f for f in doc["findings"] if f["service"] == "web"]
    assert web["id"] == finding_id("staging", "web", "service.missing", "service")
    # SPEC: "Each finding's `revision` is `manifest:FILE`" (helper-643 F2: it was null)
    assert web["revision"] == f"manifest:{file}", web
    assert not any("removed by the plan" in n for n in doc.get("notes", [])), doc.get("notes")
    assert done.returncode == 1, done.stderr


@pytest.mark.parametrize("form", ["table", "github", "sarif"])
def test_every_format_says_the_destroy(tmp_path: Path, form: str) -> None:
    done = check_offline(tmp_path, _destroying_web(), WITH_WEB, "-f", form)
    assert done.returncode == 1, done.stderr
    assert "service.missing" in done.stdout, done.stdout
    assert f"destroyed by this plan: {WEB}" in done.stdout, done.stdout


def test_a_destroyed_job_and_worker_pool_are_missing(tmp_path: Path) -> None:
    profile = WITH_WEB.replace("  web: {}\n", "") + "jobs:\n  migrate: {}\n"
    profile += "worker_pools:\n  consumer: {}\n"
    data = plan()
    data["resource_changes"] = [
        known_api(data),
        _destroy("google_cloud_run_v2_job.migrate", "google_cloud_run_v2_job", "migrate"),
        _destroy(
            "module.q.google_cloud_run_v2_worker_pool.consumer",
            "google_cloud_run_v2_worker_pool",
            "consumer",
        ),
    ]
    done = check_offline(tmp_path, data, profile, "-f", "json")
    doc = json.loads(done.stdout)
    assert {(s, n, t) for s, n, t, _ in _missing(doc)} == {
        ("error", "migrate", "job"),
        ("error", "consumer", "worker_pool"),
    }, doc["findings"]
    messages = {m for *_, m in _missing(doc)}
    assert any(
        "job migrate is destroyed by this plan: google_cloud_run_v2_job.migrate" in m
        for m in messages
    ), messages
    assert done.returncode == 1


def test_a_move_without_a_moved_block_checks_the_created_one_and_names_both(
    tmp_path: Path,
) -> None:
    """Terraform destroys google_cloud_run_v2_service.api and creates
    module.app.google_cloud_run_v2_service.api, the same Cloud Run service: the created one is
    checked (clean), and one note names both addresses, not "removed by the plan"."""
    data = plan()
    before = copy.deepcopy(known_api(data)["change"]["after"])
    before["deletion_protection"] = False  # else the delete fails
    moved_without_a_block(data, before)
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    named = [
        n
        for n in doc["notes"]
        if "google_cloud_run_v2_service.api is destroyed" in n
        and "module.app.google_cloud_run_v2_service.api creates service api again" in n
    ]
    assert len(named) == 1 and "`moved` block" in named[0], doc["notes"]
    assert not any("removed by the plan" in n for n in doc["notes"]), doc["notes"]
    assert doc["findings"] == [] and done.returncode == 0, doc["findings"]


def test_service_selects_a_destroyed_service_as_any_other(tmp_path: Path) -> None:
    """`--service api`: web is not checked (noted); `--service web`: it is missing."""
    done = check_offline(tmp_path, _destroying_web(), WITH_WEB, "-f", "json", "-s", "api")
    doc = json.loads(done.stdout)
    assert _missing(doc) == [] and done.returncode == 0, doc["findings"]
    assert any(f"{WEB} is destroyed by this plan: not checked" in n for n in doc["notes"])
    done = check_offline(tmp_path, _destroying_web(), WITH_WEB, "-f", "json", "-s", "web")
    doc = json.loads(done.stdout)
    assert [n for _, n, _, _ in _missing(doc)] == ["web"], doc["findings"]
    assert done.returncode == 1


def test_a_plan_that_only_destroys_a_profiled_service_is_checked(tmp_path: Path) -> None:
    """No workload of the profile deployed, one destroyed: missing, not "holds no service"."""
    data = plan()
    data["resource_changes"] = [rc for rc in data["resource_changes"] if rc["address"] == WEB]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json", "-s", "web")
    doc = json.loads(done.stdout)
    assert [n for _, n, _, _ in _missing(doc)] == ["web"], done.stderr
    assert done.returncode == 1


def test_a_destroy_in_another_region_or_of_another_service_is_noted(tmp_path: Path) -> None:
    data = plan()
    data["resource_changes"] = [
        known_api(data),
        _destroy(WEB, "google_cloud_run_v2_service", "web", region="europe-west1"),
        _destroy("google_cloud_run_v2_service.old", "google_cloud_run_v2_service", "old"),
    ]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    assert _missing(doc) == [], doc["findings"]
    assert any("region europe-west1" in n and "destroyed by this plan" in n for n in doc["notes"])
    assert any("old is destroyed by this plan: not checked" in n for n in doc["notes"])


def _replacing(actions: list[str], **after: Any) -> dict[str, Any]:
    """A google_cloud_run_v2_service at web's address replaced (`actions` "delete" and
    "create", in either order: Terraform's JSON output format), its `after` changed by
    `after` (None: not known until apply)."""
    before = {"name": "web", "project": "acme-chat-staging", "location": "us-central1",
              "deletion_protection": False}  # fmt: skip
    made: dict[str, Any] = dict(before, **after)
    made["template"] = [{"containers": [{"image": "us-docker.pkg.dev/x/web:1"}]}]
    unknown = {k: True for k, v in after.items() if v is None}
    return {
        "address": WEB,
        "mode": "managed",
        "type": "google_cloud_run_v2_service",
        "name": "web",
        "change": {"actions": actions, "before": before, "after": made, "after_unknown": unknown},
    }


ORDERS = [["delete", "create"], ["create", "delete"]]


@pytest.mark.parametrize("actions", ORDERS)
def test_a_rename_of_a_profiled_service_reports_the_old_name_missing(
    tmp_path: Path, actions: list[str]
) -> None:
    """revown53 F1: Cloud Run renames no service (`name` forces a replace: magic-modules
    mmv1/products/cloudrunv2/Service.yaml), so web renamed frontend is a replace at the SAME
    address, which deletes Cloud Run service web: missing once applied, as the live check
    says; drift said nothing of web (exit 0)."""
    data = plan()
    data["resource_changes"] = [known_api(data), _replacing(actions, name="frontend")]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    assert [(s, n) for s, n, _, _ in _missing(doc)] == [("error", "web")], doc["findings"]
    (message,) = [m for _, _, _, m in _missing(doc)]
    assert f"destroyed by this plan: {WEB} (replaced by frontend)" in message, message
    assert done.returncode == 1


@pytest.mark.parametrize("actions", ORDERS)
def test_a_replace_into_another_region_or_project_reports_the_old_one_missing(
    tmp_path: Path, actions: list[str]
) -> None:
    """`location` and `project` force a replace too: the service of the profile's project and
    region is deleted; the new one is not the profile's."""
    for moved, said in [
        ({"location": "europe-west1"}, "(replaced by web in region europe-west1)"),
        ({"project": "acme-chat-other"}, "(replaced by web in project acme-chat-other)"),
    ]:
        data = plan()
        data["resource_changes"] = [known_api(data), _replacing(actions, **moved)]
        done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
        doc = json.loads(done.stdout)
        assert [n for _, n, _, _ in _missing(doc)] == ["web"], (moved, doc["findings"])
        assert said in _missing(doc)[0][3], _missing(doc)
        assert done.returncode == 1


@pytest.mark.parametrize("actions", ORDERS)
def test_a_replace_keeping_the_name_checks_the_new_one(tmp_path: Path, actions: list[str]) -> None:
    """A replace that keeps name, project and region (another attribute forced it) deletes
    web and creates web: the created one is what is checked, never missing (creating first,
    Cloud Run refuses the create: not verified, `test_plan_create_first`)."""
    data = plan()
    data["resource_changes"] = [known_api(data), _replacing(actions)]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    assert _missing(doc) == [], doc["findings"]
    assert not any("destroyed by this plan" in n for n in doc["notes"]), doc["notes"]


def test_a_replace_whose_new_name_is_not_known_is_not_verified(tmp_path: Path) -> None:
    """A new name not known until apply may be web again: not verified, not missing."""
    data = plan()
    data["resource_changes"] = [known_api(data), _replacing(ORDERS[0], name=None)]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    assert _missing(doc) == [], doc["findings"]
    assert done.returncode == 3, doc  # incomplete


@pytest.mark.parametrize("actions", ORDERS)
def test_a_replace_into_another_region_or_project_with_an_unknown_name_is_missing(
    tmp_path: Path, actions: list[str]
) -> None:
    """revown56 F1: a new name not known until apply, but a known new region (or project):
    web of the profile's region and project is deleted whatever the new name; it was exit 0
    (the nameless one was taken for another region's workload)."""
    for moved, said in [
        ({"location": "europe-west1"}, "in region europe-west1, its name known at apply)"),
        ({"project": "acme-chat-other"}, "in project acme-chat-other, its name known at apply)"),
    ]:
        data = plan()
        data["resource_changes"] = [known_api(data), _replacing(actions, name=None, **moved)]
        done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
        doc = json.loads(done.stdout)
        assert [n for _, n, _, _ in _missing(doc)] == ["web"], (moved, doc["findings"])
        assert f"destroyed by this plan: {WEB} (replaced by a workload " in _missing(doc)[0][3]
        assert said in _missing(doc)[0][3], _missing(doc)
        assert done.returncode == 1, done.returncode


@pytest.mark.parametrize("actions", ORDERS)
def test_a_moved_block_plus_a_rename_reports_web_missing(
    tmp_path: Path, actions: list[str]
) -> None:
    """`moved { from = google_cloud_run_v2_service.web, to = module.edge.….web }` and
    name = "frontend": one resource_change at the new address with `previous_address`."""
    data = plan()
    rc = _replacing(actions, name="frontend")
    rc["previous_address"] = rc["address"]
    rc["address"] = "module.edge.google_cloud_run_v2_service.web"
    rc["module_address"] = "module.edge"
    data["resource_changes"] = [known_api(data), rc]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    assert [n for _, n, _, _ in _missing(doc)] == ["web"], (doc["findings"], doc.get("notes"))
    assert done.returncode == 1


def test_a_destroy_whose_name_is_not_in_the_plan_is_not_verified(tmp_path: Path) -> None:
    """It may be web: a note said so, and the run was clean (exit 0; helper-766)."""
    data = _destroying_web()
    del data["resource_changes"][1]["change"]["before"]["name"]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    assert _missing(doc) == [], doc["findings"]
    [web] = [u for u in doc["unverified"] if u["service"] == "web"]
    assert "destroys a service whose name is not in the plan: it may be this one" in str(web)
    assert done.returncode == 3, doc  # incomplete


@pytest.mark.parametrize(
    ("before", "said"),
    [
        (None, "change.before: expected an object, found null"),
        ([{"name": "web"}], "change.before: expected an object, found a list"),
        ({"name": 5}, "change.before.name: expected a string, found a number"),
    ],
)
def test_a_destroy_terraform_did_not_write_is_refused(
    tmp_path: Path, before: Any, said: str
) -> None:
    """Terraform writes a delete's state before it whole; each was a note, and clean."""
    data = _destroying_web()
    data["resource_changes"][1]["change"]["before"] = before
    done = check_offline(tmp_path, data, WITH_WEB)
    assert done.returncode == 2, done.stdout
    assert done.stderr.splitlines() == [
        f"drift: error: {tmp_path / 'plan.json'}: resource_changes[1].{said}"
    ]
