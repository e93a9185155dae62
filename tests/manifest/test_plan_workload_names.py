"""Which of the profile's workloads a plan deploys: a service two resources describe for the
same project and region (the v1 `google_cloud_run_service` and the v2 one, a migration half
done: both write the service, the later wins) is refused as described twice, exit 2; one whose
name Terraform only knows once it applies may be any of the profile's of its kind that the
plan does not otherwise describe: each is not verified (exit 3), never clean."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

WITH_WEB = API_ONLY + "  web:\n    settings: {max_instances: 5}\n"


def v1(name: str, region: str = "us-central1") -> dict[str, Any]:
    """`google_cloud_run_service` (v1) NAME, as `terraform show -json` writes it."""
    after = {"name": name, "location": region, "project": "acme-chat-staging", "template": [
        {"spec": [{"containers": [{"image": "x", "env": [{"name": "TESTING", "value": "true"}]}]}]}
    ]}  # fmt: skip
    return {
        "address": f"google_cloud_run_service.{name}",
        "mode": "managed",
        "type": "google_cloud_run_service",
        "name": name,
        "change": {"actions": ["update"], "before": {}, "after": after, "after_unknown": {}},
    }


def nameless(api: dict[str, Any], region: str = "us-central1") -> dict[str, Any]:
    """A v2 service like `api` whose name is not known until apply, with 500 instances."""
    rc = copy.deepcopy(api)
    rc["address"] = "google_cloud_run_v2_service.web"
    rc["change"]["actions"] = ["create"]
    rc["change"]["after"].pop("name")
    rc["change"]["after"]["location"] = region
    rc["change"]["after_unknown"] = {"name": True}
    rc["change"]["after"]["template"][0]["scaling"][0]["max_instance_count"] = 500
    return rc


def test_a_service_described_by_the_v1_and_the_v2_resource_is_described_twice(
    tmp_path: Path,
) -> None:
    data = plan()
    data["resource_changes"] = [known_api(data), v1("api")]
    done = check_offline(tmp_path, data, API_ONLY)
    said = " ".join(done.stderr.split())
    assert done.returncode == 2 and done.stdout == "", (done.returncode, done.stdout)
    assert (
        "plan.json: google_cloud_run_v2_service.api and in " in said
        and "plan.json: google_cloud_run_service.api: both deploy it" in said
        and "`removed` block" in said
    ), said


def test_a_v1_resource_of_the_same_name_in_another_region_is_another_service(
    tmp_path: Path,
) -> None:
    data = plan()
    data["resource_changes"] = [known_api(data), v1("api", region="europe-west1")]
    done = check_offline(tmp_path, data, API_ONLY)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    said = " ".join(done.stdout.split())
    assert "google_cloud_run_service.api: service api is for region europe-west1" in said, said


def test_a_service_whose_name_is_not_known_until_apply_leaves_the_others_unverified(
    tmp_path: Path,
) -> None:
    """It may be web (500 instances, the profile says 5): web is not verified; api, which
    the plan describes by name, is checked."""
    data = plan()
    api = known_api(data)
    data["resource_changes"] = [api, nameless(api)]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3 and doc["status"] != "clean", (done.returncode, doc)
    assert [(u["service"], u["target"]) for u in doc["unverified"]] == [("web", "service")]
    (web,) = doc["unverified"]
    assert (
        "google_cloud_run_v2_service.web deploys a service whose name is not known until apply"
        in web["reason"]
    ), web
    assert doc["summary"]["services"] == 2 and not doc["findings"], doc


def test_a_plan_of_only_a_nameless_service_is_incomplete_not_refused(tmp_path: Path) -> None:
    data = plan()
    data["resource_changes"] = [nameless(known_api(data))]
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr)
    assert {u["service"] for u in doc["unverified"]} == {"api", "web"}


def test_a_nameless_service_is_only_noted_when_it_cannot_be_the_profiles(
    tmp_path: Path,
) -> None:
    """Every service of the profile is described by name, or it is for another region."""
    data = plan()
    api = known_api(data)
    for extra, profile in ((nameless(api), API_ONLY), (nameless(api, "europe-west1"), WITH_WEB)):
        data["resource_changes"] = [api, extra]
        done = check_offline(tmp_path, data, profile, "-f", "json")
        assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
        notes = " ".join(json.loads(done.stdout)["notes"])
        assert "google_cloud_run_v2_service.web: its name is not known until apply" in notes


def test_a_plan_without_a_project_reads_its_own_connector_as_the_live_check_does(
    tmp_path: Path,
) -> None:
    """A plan's `project` is empty when the provider's default project applies: the service's
    own connector, named in full (`projects/acme-chat-staging/…/connectors/staging-vpc`), is
    its short name there as it is live (the profile's project), not drift (revmanifest 3)."""
    data = plan()
    api = known_api(data)
    del api["change"]["after"]["project"]
    data["resource_changes"] = [api]
    profile = API_ONLY.replace(
        "max_instances: 20}", "max_instances: 20, vpc_connector: staging-vpc}"
    )
    done = check_offline(tmp_path, data, profile, "-f", "json")
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert not json.loads(done.stdout)["findings"]
