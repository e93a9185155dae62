"""A value a Terraform plan marks sensitive that is one of the names drift prints anyway (the
project, the region, a workload's service account) hides that name nowhere: a workload of the
state holding `REGION=us-central1` in an `env` block marked whole (a dynamic block over a
sensitive map) made the report's region `***`, and every text holding it
(`***-docker.pkg.dev/…`), in every format (helper-794 B1). A secret beside it in the same block
is still never shown, and the workload's own variable holding the name is masked on its data
(`EnvVar.sensitive`), as Terraform shows it "(sensitive value)"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.manifest.plansecrets import shown_names
from drift.manifest.terraform import JOB, READ, SERVICE
from tests.manifest.plans import API_ONLY, check_offline, check_written, known_api, plan

VALUE = "rotated out yellow 99887766"
FORMATS = ["table", "json", "github", "sarif", "markdown"]
IMAGE = "us-central1-docker.pkg.dev/acme-chat-staging/acme-chat/api:v2.15.0"
ACCOUNT = "api@acme-chat-staging.iam.gserviceaccount.com"
NAMES = {"region": "us-central1", "project": "acme-chat-staging", "account": ACCOUNT}
CHECKED = API_ONLY.replace(
    "max_instances: 20}",
    "max_instances: 20, image: other:1,\n"
    "                service_account: other@acme-chat-staging.iam.gserviceaccount.com}",
)
"""What finds the api's image and service account, each shown whole (`IMAGE`, `ACCOUNT`)."""
SECRET = "hunter2-prod-password"
SECRET_VERSION = "google_secret_manager_secret_version"


def _with_state_worker(*held: str) -> dict[str, Any]:
    """The repository's plan, api known, and a worker of the prior state whose `env`, marked
    whole, holds each of `held` and VALUE."""
    data = plan()
    data["resource_changes"] = [known_api(data)]
    env = [{"name": f"NAMED_{i}", "value": v, "value_source": []} for i, v in enumerate(held)]
    env.append({"name": "PASSWORD", "value": VALUE, "value_source": []})
    values = {"name": "worker", "project": "acme-chat-staging", "location": "us-central1",
              "template": [{"containers": [{"image": "w:1", "env": env}]}]}  # fmt: skip
    worker = _resource(SERVICE, values, {"template": [{"containers": [{"env": True}]}]})
    data["prior_state"] = {"values": {"root_module": {"resources": [worker]}}}
    return data


def _resource(kind: str, values: dict[str, Any], marks: Any) -> dict[str, Any]:
    """A managed resource of a state, of type `kind`, with its `values` and their marks."""
    return {"address": f"{kind}.r", "mode": "managed", "type": kind, "name": "r",
            "values": values, "sensitive_values": marks}  # fmt: skip


def test_the_report_names_its_region_and_project(tmp_path: Path) -> None:
    data = _with_state_worker("us-central1", "acme-chat-staging")
    report = json.loads(check_offline(tmp_path, data, CHECKED, "-f", "json").stdout)
    assert (report["project"], report["region"]) == ("acme-chat-staging", "us-central1")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_a_marked_name_is_shown_and_the_secret_beside_it_is_not(
    tmp_path: Path, name: str, fmt: str
) -> None:
    """The api's image (its region and project) and service account are shown whole; the
    worker's PASSWORD, marked with the name, is not."""
    done, written = check_written(tmp_path, _with_state_worker(NAMES[name]), CHECKED, fmt)
    assert done.returncode == 1, done.stderr
    assert IMAGE in written and ACCOUNT in written, written  # was ***-docker.pkg.dev/…
    assert VALUE not in done.stdout + done.stderr + written


def test_the_workloads_own_variable_holding_a_name_is_masked_on_its_data(
    tmp_path: Path,
) -> None:
    """api's own `REGION=us-central1`, marked: its finding shows `***`, and the report its
    region."""
    data = plan()
    api = known_api(data)
    data["resource_changes"] = [api]
    change = api["change"]
    change["after"]["template"][0]["containers"][0]["env"].append(
        {"name": "REGION", "value": "us-central1", "value_source": []}
    )
    env = [False] * (len(change["after"]["template"][0]["containers"][0]["env"]) - 1)
    change["after_sensitive"] = {"template": [{"containers": [{"env": [*env, True]}]}]}
    profile = API_ONLY + "    env:\n      REGION: europe-west1\n"
    done = check_offline(tmp_path, data, profile, "-f", "json")
    report = json.loads(done.stdout)
    assert report["region"] == "us-central1", done.stdout
    found = [f for f in report["findings"] if "REGION" in json.dumps(f)]
    assert found and "us-central1" not in json.dumps(found), found


def test_the_profiles_project_no_workload_of_the_plan_names(tmp_path: Path) -> None:
    """A secret version of the state whose marked data is the profile's project id, where the
    plan's only workload is another project's: the refusal names both projects (the
    profile's names, `Profile.public_names`, were not taken for public)."""
    data = plan()
    api = known_api(data)
    data["resource_changes"] = [api]
    api["change"] |= {"actions": ["create"], "before": None}  # nothing of it names the profile's
    api["change"]["after"]["project"] = "acme-chat-prod"
    version = _resource(SECRET_VERSION, {"secret_data": "acme-chat-staging"}, {"secret_data": True})
    data["prior_state"] = {"values": {"root_module": {"resources": [version]}}}
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    assert done.returncode == 2, done.stderr
    assert "project acme-chat-prod, profile staging checks acme-chat-staging " in done.stderr


def test_the_names_a_plan_holds_of_its_workloads() -> None:
    """Each workload's name (a full one's last part too), project, region, service account
    and revision, on any side and in any state; no other resource's, no variable's name."""
    service = {"name": "api", "project": "p1", "location": "r1", "template": [
        {"service_account": "sa@p1", "revision": " api-blue ", "containers": [
            {"env": [{"name": "REGION", "value": "r1"}]}]}]}  # fmt: skip
    job = {"name": "projects/p2/locations/r2/jobs/nightly",
           "template": [{"template": [{"service_account": "jobs@p2"}]}]}  # fmt: skip
    change = {"actions": ["update"], "before": service | {"location": "r0"}, "after": service}
    data = {
        "resource_changes": [
            {"type": SERVICE, "change": change},
            {"type": "google_redis_instance", "change": {"after": {"name": "cache"}}},
        ],
        "prior_state": {"values": {"root_module": {"resources": [{"type": JOB, "values": job}]}}},
    }
    public = ["acme-chat-staging", "", " us-central1\n"]
    names = shown_names(data, READ, public, ["p1/r1/api", "p2/r2/nightly"])
    assert names == {"acme-chat-staging", "us-central1", "api", "p1",
                     "r1", "sa@p1", "api-blue", "projects/p2/locations/r2/jobs/nightly",
                     "nightly", "jobs@p2"}  # fmt: skip
    assert shown_names(data, READ, public, ["p1/r1/api"]) == names - {
        "projects/p2/locations/r2/jobs/nightly", "nightly", "p2", "r2", "jobs@p2"}  # fmt: skip
    assert shown_names(data, READ, public) == {"acme-chat-staging", "us-central1"}
    # of its name but in another project or region (the `before` in r0): no report prints it
    assert "r0" not in names and shown_names(data, READ, public, ["p1/r2/api"]) == {
        "acme-chat-staging",
        "us-central1",
    }


COPY_PROFILE = API_ONLY + "    env:\n      UPSTREAM_HOST: other-value-123\n"


def _beside_a_copy(values: dict[str, Any]) -> dict[str, Any]:
    """A plan whose api copies SECRET unmarked into UPSTREAM_HOST, and whose state holds the
    secret marked and a Cloud Run service of `values`."""
    data = plan()
    api = known_api(data)
    data["resource_changes"] = [api]
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    env.append({"name": "UPSTREAM_HOST", "value": SECRET, "value_source": []})
    version = _resource(SECRET_VERSION, {"secret_data": SECRET}, {"secret_data": True})
    other = _resource(SERVICE, values, {})
    data["prior_state"] = {"values": {"root_module": {"resources": [version, other]}}}
    return data


@pytest.mark.parametrize(
    ("field", "fmt"), [*(("name", f) for f in FORMATS), ("service_account", "json")]
)
def test_a_name_only_the_plan_holds_frees_no_secret(tmp_path: Path, field: str, fmt: str) -> None:
    """A workload of the state that the profile does not name (no report prints it) named, or
    running as, the text of a marked secret: the secret is registered all the same, and the
    api's unmarked copy of it (`nonsensitive()`) is `***` (was shown whole: helper-800 B-L1)."""
    template = {"containers": [{"image": "w:1"}], "service_account": "w@x.iam.gserviceaccount.com"}
    values = {"name": "worker", "project": "acme-chat-staging", "location": "us-central1",
              "template": [template]}  # fmt: skip
    (values if field == "name" else template)[field] = SECRET
    done, written = check_written(tmp_path, _beside_a_copy(values), COPY_PROFILE, fmt)
    assert done.returncode == 1 and "UPSTREAM_HOST" in written, done.stderr + written
    assert SECRET not in done.stdout + done.stderr + written, written


@pytest.mark.parametrize(
    "where", [("acme-chat-prod", "us-central1"), ("acme-chat-staging", "europe-west1")]
)
@pytest.mark.parametrize("field", ["service_account", "revision"])
def test_a_workload_of_a_profiled_name_elsewhere_frees_no_secret(
    tmp_path: Path, field: str, where: tuple[str, str]
) -> None:
    """A workload of the state named as the profile's `api` but in another project or region
    (no report prints it) running as, or at a revision named, a marked secret's text: the
    secret is registered all the same (was shown whole in the api's copy: helper-803)."""
    template = {"containers": [{"image": "w:1"}], "service_account": "w@x.iam.gserviceaccount.com"}
    template[field] = SECRET
    values = {"name": "api", "project": where[0], "location": where[1], "template": [template]}
    done, written = check_written(tmp_path, _beside_a_copy(values), COPY_PROFILE, "json")
    assert "UPSTREAM_HOST" in written, written
    assert SECRET not in done.stdout + done.stderr + written, written
