"""Regressions from the review of `drift check ENV --manifest FILE`: what a plan or an export
says that drift read wrong. Each test failed before its fix."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift import redact
from drift.check import run_check
from drift.manifest import ManifestSource, load_manifests
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO, drift
from tests.manifest.conftest import read

PLAN = REPO / "tests" / "data" / "manifest" / "plan.json"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:  # the default (acme-chat staging) scenario
        yield sb


@pytest.fixture(scope="module")
def exported(sandbox: Sandbox) -> str:
    """`drift plan staging --service api --format yaml` of the module's sandbox, run once: the
    manifest several tests edit (each parses its own copy). The same run of the same world,
    nothing written to it, was made by each of them."""
    done = drift("plan", "staging", "--service", "api", "--format", "yaml", env=sandbox.environ())
    return done.stdout


def check(sb: Sandbox, *args: str) -> Any:
    return drift("check", *args, env=sb.environ())


def report(done: Any) -> dict[str, Any]:
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def plan() -> dict[str, Any]:
    return json.loads(PLAN.read_text())


def change_of(data: dict[str, Any], address: str) -> dict[str, Any]:
    return next(rc for rc in data["resource_changes"] if rc["address"] == address)


def write(tmp: Path, name: str, data: Any) -> str:
    path = tmp / name
    path.write_text(json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data))
    return str(path)


def profiles(tmp: Path, text: str, env: str = "staging") -> str:
    d = tmp / "profiles"
    d.mkdir(exist_ok=True)
    (d / f"{env}.yaml").write_text(text)
    return str(d)


JOB_PROFILE = """\
project: acme-chat-staging
region: us-central1
jobs:
  db-migrate:
    env:
      REDIS_HOST: {required: true, not: [localhost, 127.0.0.1]}
      DATABASE_URL: {secret: database-url-staging}
"""


# 1 ------------------------------------------------------------------------------------------
def test_a_job_value_terraform_does_not_know_yet_is_never_clean(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """google_cloud_run_v2_job: `after_unknown` is ignored (terraform.py passes `()`), so an
    env value known only after apply is read as "" and judged: clean, exit 0."""
    data = plan()
    job = change_of(data, "google_cloud_run_v2_job.migrate")
    c = job["change"]
    c["after"]["template"][0]["template"][0]["containers"][0]["env"].append(
        {"name": "REDIS_HOST", "value_source": []}  # value unknown: terraform omits it
    )
    c["after_unknown"]["template"][0]["template"][0]["containers"][0]["env"].append({"value": True})
    data["resource_changes"] = [job]
    manifest = write(tmp_path, "plan.json", data)
    done = check(
        sandbox,
        "staging",
        "--profiles",
        profiles(tmp_path, JOB_PROFILE),
        "-m",
        manifest,
        "-f",
        "json",
    )
    doc = report(done)
    assert doc["status"] != "clean" and done.returncode != 0, (done.returncode, doc)
    assert {u["target"] for u in doc["unverified"]} >= {"env.REDIS_HOST"}


# 2 ------------------------------------------------------------------------------------------
def test_a_sensitive_value_is_never_shown_whatever_its_length(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Values `after_sensitive` marks are only registered with redact, which never searches
    for values shorter than 8 characters: a sensitive PIN or short password is printed."""
    data = plan()
    auth = change_of(data, "google_cloud_run_v2_service.auth")
    c = auth["change"]
    env = c["after"]["template"][0]["containers"][0]["env"]
    env[3]["value"] = "gitlab1"  # OAUTH_PROVIDER (profile: google), sensitive
    env.append({"name": "ADMIN_PIN", "value": "482913", "value_source": []})
    marks: list[dict[str, Any]] = [{} for _ in env]
    for i in (3, 7, len(env) - 1):
        marks[i] = {"value": True}
    c["after_sensitive"] = {"template": [{"containers": [{"env": marks}]}]}
    data["resource_changes"] = [auth]
    manifest = write(tmp_path, "plan.json", data)
    for fmt in ("table", "json", "github", "sarif"):
        done = check(sandbox, "staging", "-m", manifest, "-f", fmt)
        assert "Traceback" not in done.stderr
        for value in ("482913", "gitlab1"):
            assert value not in done.stdout + done.stderr, (fmt, value)


# 3 ------------------------------------------------------------------------------------------
def test_a_knative_template_without_cpu_throttling_annotation_is_throttled(
    sandbox: Sandbox, tmp_path: Path, exported: str
) -> None:
    """Knative (v1) default is request-based billing = CPU only during requests. drift reads
    a template with resources.limits and no run.googleapis.com/cpu-throttling as cpu_idle
    false (always allocated): the profile's `cpu_throttling: false` passes, exit 0."""
    doc = yaml.safe_load(exported)
    doc["spec"]["template"]["metadata"]["annotations"].pop("run.googleapis.com/cpu-throttling")
    manifest = write(tmp_path, "api.yaml", doc)
    done = check(sandbox, "staging", "--service", "api", "-m", manifest, "-f", "json")
    rep = report(done)
    assert ("setting.value", "setting.cpu_throttling") in {
        (f["rule"], f["target"]) for f in rep["findings"]
    }, rep


# 4 ------------------------------------------------------------------------------------------
def test_a_profile_service_deployed_by_the_v1_resource_is_not_clean(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """google_cloud_run_service (v1) named `auth` with TESTING=true: only a table note says it
    is not checked; JSON/github say clean, exit 0."""
    data = plan()
    api = change_of(data, "google_cloud_run_v2_service.api")
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    env[3]["value"] = "10.0.0.3"
    api["change"]["after_unknown"] = {}
    v1 = {
        "address": "google_cloud_run_service.auth",
        "mode": "managed",
        "type": "google_cloud_run_service",
        "name": "auth",
        "provider_name": "registry.terraform.io/hashicorp/google",
        "change": {
            "actions": ["update"],
            "before": {},
            "after": {
                "name": "auth",
                "location": "us-central1",
                "project": "acme-chat-staging",
                "template": [
                    {
                        "spec": [
                            {
                                "containers": [
                                    {"image": "x", "env": [{"name": "TESTING", "value": "true"}]}
                                ]
                            }
                        ]
                    }
                ],
            },
            "after_unknown": {},
            "after_sensitive": {},
        },
    }
    data["resource_changes"] = [api, v1]
    manifest = write(tmp_path, "plan.json", data)
    done = check(sandbox, "staging", "-m", manifest, "-f", "json")
    rep = report(done)
    assert rep["status"] != "clean" and done.returncode != 0, rep
    (auth,) = [u for u in rep["unverified"] if u["service"] == "auth"]
    assert auth["target"] == "service" and "google_cloud_run_service.auth" in auth["reason"]
    assert "google_cloud_run_service (the Cloud Run v1" in auth["reason"]


# 5 ------------------------------------------------------------------------------------------
def test_a_multi_region_plan_checks_the_profiles_region(sandbox: Sandbox, tmp_path: Path) -> None:
    """for_each over regions: the same service in us-central1 and europe-west1. The profile
    checks us-central1; drift refuses the whole plan (exit 2) and --region does not help."""
    data = plan()
    api = change_of(data, "google_cloud_run_v2_service.api")
    a, b = copy.deepcopy(api), copy.deepcopy(api)
    a["address"], a["index"] = 'google_cloud_run_v2_service.api["us-central1"]', "us-central1"
    b["address"], b["index"] = 'google_cloud_run_v2_service.api["europe-west1"]', "europe-west1"
    b["change"]["after"]["location"] = "europe-west1"
    data["resource_changes"] = [a, b]
    manifest = write(tmp_path, "plan.json", data)
    done = check(sandbox, "staging", "-m", manifest, "-f", "table")
    assert done.returncode in (0, 1, 3), done.stderr  # not refused (2)
    assert "europe-west1, profile staging checks us-central1" in done.stdout, done.stdout
    done = check(sandbox, "staging", "-m", manifest, "-f", "json")
    rep = report(done)
    # what is not known yet is the us-central1 resource's (the first), not europe-west1's
    assert [u["target"] for u in rep["unverified"]] == ["env.REDIS_HOST"]
    assert "resource_changes[0]" in rep["unverified"][0]["reason"]
    assert rep["summary"]["services"] == 1


def test_a_plan_for_several_projects_checks_the_profiles(sandbox: Sandbox, tmp_path: Path) -> None:
    data = plan()
    api = change_of(data, "google_cloud_run_v2_service.api")
    other = copy.deepcopy(api)
    other["address"] = "module.prod.google_cloud_run_v2_service.api"
    other["change"]["after"]["project"] = "acme-chat-prod"
    data["resource_changes"] = [other, api]
    done = check(sandbox, "staging", "-m", write(tmp_path, "plan.json", data), "-f", "json")
    assert done.returncode in (0, 1, 3), done.stderr  # not refused (2)
    assert report(done)["summary"]["services"] == 1


def test_a_plan_only_for_another_region_is_still_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    data = plan()
    api = change_of(data, "google_cloud_run_v2_service.api")
    api["change"]["after"]["location"] = "europe-west1"
    data["resource_changes"] = [api]
    done = check(sandbox, "staging", "-m", write(tmp_path, "plan.json", data), "-f", "json")
    assert done.returncode == 2 and "--region to override" in done.stderr, done.stderr


# 6 ------------------------------------------------------------------------------------------
def test_a_service_asked_for_by_name_and_absent_is_not_clean(
    sandbox: Sandbox, tmp_path: Path, exported: str
) -> None:
    """--service api --service auth, the manifest holds only api: auth is silently dropped."""
    manifest = write(tmp_path, "api.yaml", yaml.safe_load(exported))
    done = check(
        sandbox, "staging", "--service", "api", "--service", "auth", "-m", manifest, "-f", "json"
    )
    rep = report(done)
    assert (done.returncode, rep["status"]) == (3, "incomplete"), rep
    assert {(u["service"], u["target"]) for u in rep["unverified"]} == {("auth", "service")}
    assert manifest in rep["unverified"][0]["reason"]


# 7 ------------------------------------------------------------------------------------------
def test_a_secret_the_plan_creates_is_not_missing(sandbox: Sandbox, tmp_path: Path) -> None:
    """The plan creates google_secret_manager_secret stripe-key-staging + a version and points
    api at it; drift checks it live before apply and reports secret.missing (error)."""
    data = plan()
    api = change_of(data, "google_cloud_run_v2_service.api")
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    env[3]["value"] = "10.0.0.3"
    api["change"]["after_unknown"] = {}
    env.append(
        {
            "name": "STRIPE_KEY",
            "value": "",
            "value_source": [
                {"secret_key_ref": [{"secret": "stripe-key-staging", "version": "latest"}]}
            ],
        }
    )
    secret = {
        "address": "google_secret_manager_secret.stripe",
        "mode": "managed",
        "type": "google_secret_manager_secret",
        "name": "stripe",
        "change": {
            "actions": ["create"],
            "before": None,
            "after": {"secret_id": "stripe-key-staging", "project": "acme-chat-staging"},
            "after_unknown": {"id": True, "name": True},
            "after_sensitive": {},
        },
    }
    data["resource_changes"] = [api, secret]
    manifest = write(tmp_path, "plan.json", data)
    done = check(sandbox, "staging", "-m", manifest, "-f", "json")
    rep = report(done)
    assert "secret.missing" not in {f["rule"] for f in rep["findings"]}, rep
    assert done.returncode == 3, rep  # never clean
    assert {
        "service": "api",
        "target": "secret.stripe-key-staging",
        "reason": "created by this plan: google_secret_manager_secret.stripe",
    } in [{k: u[k] for k in ("service", "target", "reason")} for u in rep["unverified"]]


def _granting(member: str) -> dict[str, Any]:
    """The plan runs api as api-v2, which has no access to jwt-secret-staging, and grants
    `member` access to it."""
    data = plan()
    api = change_of(data, "google_cloud_run_v2_service.api")
    api["change"]["after"]["template"][0]["containers"][0]["env"][3]["value"] = "10.0.0.3"
    api["change"]["after_unknown"] = {}
    api["change"]["after"]["template"][0]["service_account"] = (
        "api-v2@acme-chat-staging.iam.gserviceaccount.com"
    )
    grant = {
        "address": "google_secret_manager_secret_iam_member.api_jwt",
        "mode": "managed",
        "type": "google_secret_manager_secret_iam_member",
        "name": "api_jwt",
        "change": {
            "actions": ["create"],
            "after": {
                "secret_id": "projects/acme-chat-staging/secrets/jwt-secret-staging",
                "member": member,
                "role": "roles/secretmanager.secretAccessor",
                "project": "acme-chat-staging",
            },
            "after_unknown": {"id": True, "etag": True},
        },
    }
    data["resource_changes"] = [api, grant]
    return data


def test_access_the_plan_grants_is_not_reported_missing(sandbox: Sandbox, tmp_path: Path) -> None:
    account = "serviceAccount:api-v2@acme-chat-staging.iam.gserviceaccount.com"
    manifest = write(tmp_path, "plan.json", _granting(account))
    rep = report(check(sandbox, "staging", "-m", manifest, "-f", "json"))
    no_access = {f["target"] for f in rep["findings"] if f["rule"] == "secret.no_access"}
    assert "secret.jwt-secret-staging" not in no_access, rep
    assert (
        "secret.jwt-secret-staging",
        "granted by this plan: google_secret_manager_secret_iam_member.api_jwt",
    ) in {(u["target"], u["reason"]) for u in rep["unverified"]}
    # a grant to another account answers nothing
    manifest = write(tmp_path, "plan.json", _granting("serviceAccount:x@p.iam.gserviceaccount.com"))
    rep = report(check(sandbox, "staging", "-m", manifest, "-f", "json"))
    no_access = {f["target"] for f in rep["findings"] if f["rule"] == "secret.no_access"}
    assert "secret.jwt-secret-staging" in no_access, rep


# 8 ------------------------------------------------------------------------------------------
def test_a_reference_is_judged_as_the_text_it_is(
    sandbox: Sandbox, tmp_path: Path, exported: str
) -> None:
    """REDIS_HOST=$(RH) with RH=localhost: the container gets the text `$(RH)` ("Variable
    references are not supported in Cloud Run", run v2 k8s.min.proto EnvVar.value), which the
    profile's `not: [localhost]` allows (589ebdac judged it as `localhost`: env.constraint)."""
    doc = yaml.safe_load(exported)
    env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
    env.insert(0, {"name": "RH", "value": "localhost"})
    next(e for e in env if e["name"] == "REDIS_HOST")["value"] = "$(RH)"
    manifest = write(tmp_path, "api.yaml", doc)
    rep = report(check(sandbox, "staging", "--service", "api", "-m", manifest, "-f", "json"))
    assert "env.REDIS_HOST" not in {f["target"] for f in rep["findings"]}, rep
    assert "env.REDIS_HOST" not in {u["target"] for u in rep["unverified"]}, rep
    # the same text in the plan, with `localhost` written out: the constraint holds it
    next(e for e in env if e["name"] == "REDIS_HOST")["value"] = "localhost"
    manifest = write(tmp_path, "api.yaml", doc)
    rep = report(check(sandbox, "staging", "--service", "api", "-m", manifest, "-f", "json"))
    assert ("env.constraint", "env.REDIS_HOST") in {
        (f["rule"], f["target"]) for f in rep["findings"]
    }, rep


# 9 ------------------------------------------------------------------------------------------
def test_a_sensitive_env_block_keeps_the_variable_names(sandbox: Sandbox, tmp_path: Path) -> None:
    """after_sensitive marks the whole env block (a dynamic block over a sensitive map): drift
    registers every leaf, names included, so targets read `env.***` and other texts lose
    the names of variables and secrets."""
    data = plan()
    auth = change_of(data, "google_cloud_run_v2_service.auth")
    auth["change"]["after"]["template"][0]["containers"][0]["env"][3]["value"] = "gitlab-ee"
    auth["change"]["after_sensitive"] = {"template": [{"containers": [{"env": True}]}]}
    data["resource_changes"] = [auth]
    manifest = write(tmp_path, "plan.json", data)
    done = check(sandbox, "staging", "-m", manifest, "-f", "json")
    rep = report(done)
    targets = {f["target"] for f in rep["findings"]}
    assert "env.***" not in targets, targets
    assert {"env.OAUTH_PROVIDER", "env.OAUTH_CLIENT_SECRET"} <= targets, targets
    assert "gitlab-ee" not in done.stdout


def test_a_sensitive_block_flags_the_values_of_its_variables_never_their_names() -> None:
    """A job's env block marked as a whole: each value is sensitive (a short one too), the
    names of the variables and of the secrets they reference stay readable."""
    data = plan()
    job = change_of(data, "google_cloud_run_v2_job.migrate")
    env = job["change"]["after"]["template"][0]["template"][0]["containers"][0]["env"]
    env.append({"name": "PIN_NAME_LONG_ENOUGH", "value": "4829", "value_source": []})
    job["change"]["after_sensitive"] = {
        "template": [{"template": [{"containers": [{"env": True}]}]}]
    }
    data["resource_changes"] = [job]
    (workload,) = read(json.dumps(data), "plan.json").workloads
    names = {v["name"] for v in env}
    assert {(0, n) for n in names} == workload.sensitive
    assert redact.scrub("PIN_NAME_LONG_ENOUGH") == "PIN_NAME_LONG_ENOUGH"


def _task(marks: dict[str, Any]) -> dict[str, Any]:
    return {"template": [{"template": [marks]}]}


@pytest.mark.parametrize(
    ("marks", "targets"),
    [
        ({"template": True}, {("*", None)}),
        ({"template": [{"template": True}]}, {("*", None)}),
        (_task({"containers": True}), {("*", None)}),
        (_task({"containers": [{"image": True}]}), {("setting.image", None)}),
        (
            _task({"containers": [{"env": [{"value_source": [{"secret_key_ref": [{}]}]}]}]}),
            set(),
        ),
        (
            _task({"containers": [{"env": [{"value_source": True}]}]}),
            {("env.DATABASE_URL", None)},
        ),
        (_task({"containers": [{"env": True}]}), {("env.*", None)}),
        (
            _task({"service_account": True}),
            {("setting.service_account", None), ("secret.*", "secret.no_access")},
        ),
        (_task({"timeout": True}), {("setting.timeout", None), ("setting.task_timeout", None)}),
        (_task({"max_retries": True}), {("setting.max_retries", None)}),
        (
            {"template": [{"parallelism": True, "task_count": True}]},
            {("setting.parallelism", None), ("setting.task_count", None)},
        ),
        (
            _task({"volumes": True}),
            {
                ("mount.*", None),
                ("setting.cloudsql_instances", None),
                ("setting.storage_buckets", None),
                ("setting.nfs_shares", None),
            },
        ),
        ({"labels": True, "etag": True}, set()),
    ],
)
def test_what_each_unknown_value_of_a_job_hides(marks: dict[str, Any], targets: set[Any]) -> None:
    data = plan()
    job = change_of(data, "google_cloud_run_v2_job.migrate")
    job["change"]["after_unknown"] = marks
    data["resource_changes"] = [job]
    (workload,) = read(json.dumps(data), "plan.json").workloads
    assert {(u.target, u.rule) for u in workload.unknown} == targets
    if ("env.DATABASE_URL", None) in targets:  # no reference Terraform has not settled
        task = workload.resource.template.template
        assert not task.containers[0].env[0].value_source.secret_key_ref.secret


def _offline(path: Path, services: tuple[str, ...] = ()) -> Any:
    source = ManifestSource(load_manifests([str(path)]), offline=True, requested=services)
    profile = load_profile(REPO / "profiles", "staging")
    return asyncio.run(
        run_check(profile, load_settings(), services=services or None, source=source)
    ).report


def test_a_plan_that_deploys_a_profile_service_only_by_the_v1_resource_is_incomplete(
    tmp_path: Path,
) -> None:
    """Nothing else to check: not refused (exit 2), not clean: the service is unverified."""
    data = plan()
    v1 = {
        "address": "google_cloud_run_service.api",
        "type": "google_cloud_run_service",
        "name": "api",
        "change": {"actions": ["create"], "after": {"name": "api", "location": "us-central1"}},
    }
    other = {**v1, "address": "google_cloud_run_service.cron", "name": "cron"}
    other["change"] = {"actions": ["create"], "after": {"name": "cron"}}
    data["resource_changes"] = [v1, other]
    rep = _offline(Path(write(tmp_path, "plan.json", data)))
    assert rep.services == ("api",) and not rep.findings
    assert [(u.service, u.target) for u in rep.unverified] == [("api", "service")]
    assert any("google_cloud_run_service.cron not checked" in n for n in rep.notes)


def test_a_v1_resource_of_another_region_is_not_the_profiles(tmp_path: Path) -> None:
    data = plan()
    api = change_of(data, "google_cloud_run_v2_service.api")
    v1 = {
        "address": "google_cloud_run_service.auth",
        "type": "google_cloud_run_service",
        "name": "auth",
        "change": {"actions": ["create"], "after": {"name": "auth", "location": "europe-west1"}},
    }
    data["resource_changes"] = [api, v1]
    rep = _offline(Path(write(tmp_path, "plan.json", data)))
    assert "auth" not in {u.service for u in rep.unverified}


def test_a_knative_service_read_without_the_annotation_is_throttled_and_written_back_so() -> None:
    """Read: each container that sets resources gets cpu_idle true (v2 wants it said);
    written back: the annotation says true; a job's task (always instance-billed) is left
    as it says."""
    from google.cloud import run_v2

    from drift.fix.knative import from_knative, to_knative

    container = {"image": "x", "ports": [{"containerPort": 8080}]}
    sized = {**container, "resources": {"limits": {"cpu": "1", "memory": "512Mi"}}}
    service = {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": "api"},
        "spec": {"template": {"metadata": {"annotations": {}}, "spec": {"containers": [sized]}}},
    }
    back = from_knative(service)
    assert back.template.containers[0].resources.cpu_idle is True
    doc = to_knative(back, project="p", region="us-central1").document
    annotations = doc["spec"]["template"]["metadata"]["annotations"]
    assert annotations["run.googleapis.com/cpu-throttling"] == "true"
    service["spec"]["template"]["metadata"]["annotations"] = {
        "run.googleapis.com/cpu-throttling": "false"
    }
    assert from_knative(service).template.containers[0].resources.cpu_idle is False
    service["spec"]["template"]["spec"]["containers"] = [container]
    service["spec"]["template"]["metadata"]["annotations"] = {}
    assert "resources" not in from_knative(service).template.containers[0]  # the v2 default
    job = {
        "apiVersion": "run.googleapis.com/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {"template": {"spec": {"template": {"spec": {"containers": [sized]}}}}},
    }
    task = from_knative(job).template.template
    assert isinstance(task, run_v2.TaskTemplate) and task.containers[0].resources.cpu_idle is False


def test_what_a_plan_creates_answers_only_its_own_secrets_and_accounts() -> None:
    from drift.manifest.planned import planned

    sa = "api@p.iam.gserviceaccount.com"
    grant = {
        "actions": ["create"],
        "after": {"member": f"serviceAccount:{sa}", "role": "roles/secretmanager.secretAccessor"},
        "after_unknown": {"secret_id": True},  # the secret the same plan creates
    }
    (on_new,) = planned("g", "google_secret_manager_secret_iam_member", grant)
    assert on_new.answers("stripe", "p", sa, {"stripe"})
    assert not on_new.answers("other", "p", sa, {"stripe"})
    assert not on_new.answers("stripe", "p", "web@p.iam.gserviceaccount.com", {"stripe"})
    viewer = {**grant, "after": {**grant["after"], "role": "roles/viewer"}}
    assert planned("g", "google_secret_manager_secret_iam_member", viewer) == []
    project = {"actions": ["create"], "after": {"project": "p", **grant["after"]}}
    (everywhere,) = planned("g", "google_project_iam_member", project)
    assert everywhere.answers("any", "p", sa, set())
    assert not everywhere.answers("q/any", "p", sa, set())  # a secret of another project
    secret = {"actions": ["delete"], "after": None}
    assert planned("s", "google_secret_manager_secret", secret) == []
    version = {"actions": ["create"], "after": {"secret": "projects/q/secrets/k"}}
    (made,) = planned("v", "google_secret_manager_secret_version", version)
    assert made.answers("q/k", "p", sa, set()) and not made.answers("k", "p", sa, set())


def test_a_value_naming_a_secret_variable_is_judged(
    sandbox: Sandbox, tmp_path: Path, exported: str
) -> None:
    """REDIS_HOST=$(SECRET_VAR) holds that text, no secret (589ebdac: unverified, exit 3)."""
    doc = yaml.safe_load(exported)
    env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
    secret = next(e["name"] for e in env if "valueFrom" in e)
    host = next(e for e in env if e["name"] == "REDIS_HOST")
    env.remove(host)
    env.append({"name": "REDIS_HOST", "value": f"$({secret})"})
    manifest = write(tmp_path, "api.yaml", doc)
    rep = report(check(sandbox, "staging", "--service", "api", "-m", manifest, "-f", "json"))
    assert "env.REDIS_HOST" not in {u["target"] for u in rep["unverified"]}, rep
    assert "env.REDIS_HOST" not in {f["target"] for f in rep["findings"]}, rep
