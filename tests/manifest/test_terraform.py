"""`terraform show -json` plans read as the provider writes them: `resource_changes[]` of
`google_cloud_run_v2_service` and `google_cloud_run_v2_job`, nested blocks as lists, values
Terraform cannot know yet (`after_unknown`) as findings withheld and items not verified,
sensitive values registered as secrets, destroyed resources not checked, and every malformed
shape at its JSON path."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest

from drift import redact
from drift.fields import FIELDS
from drift.kinds import Kind
from drift.live.normalize import revision_config
from drift.manifest.model import Destroyed, Unknown
from drift.manifest.unknowns import SETTINGS
from drift.refs import SecretRef
from drift.yamldoc import MAX_BYTES
from tests.manifest.conftest import PLAN, problems_of, read


def plan() -> dict[str, Any]:
    return json.loads(PLAN.read_text())


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))  # as terraform writes it: one line


def test_the_services_and_jobs_a_plan_leaves_running() -> None:
    manifest = read(dumps(plan()), "plan.json")
    assert [(w.kind, w.name) for w in manifest.workloads] == [
        ("service", "api"),
        ("service", "auth"),
        ("job", "db-migrate"),
    ]
    assert manifest.notes == ()
    # web is destroyed: recorded, for the check to say service.missing (revcode3 F1)
    assert manifest.destroyed == (
        Destroyed(
            Kind.SERVICE,
            "web",
            "plan.json",
            "google_cloud_run_v2_service.web",
            "acme-chat-staging",
            "us-central1",
        ),
    )
    api = manifest.workloads[0]
    assert (api.project, api.region, api.where) == (
        "acme-chat-staging",
        "us-central1",
        "plan.json: google_cloud_run_v2_service.api",
    )
    assert api.resource.name == "projects/acme-chat-staging/locations/us-central1/services/api"
    config = revision_config(api.resource.template, service=api.resource, container=None)
    env = config.env
    assert env["SECRET_KEY"].ref == SecretRef("secret-key-staging", "3")
    assert env["JWT_SECRET_KEY"].ref == SecretRef("jwt-secret-staging", "latest")
    assert env["LOG_LEVEL"].value == "INFO"
    # a value Terraform knows only after apply holds nothing, and is said so
    assert env["REDIS_HOST"].value == "" and env["REDIS_HOST"].ref is None
    assert api.unknown == (
        Unknown(
            "env.REDIS_HOST",
            "not known until apply (plan.json: resource_changes[1].change.after.template[0]"
            ".containers[0].env[3].value)",
            container="api",
            value=True,  # a plain variable's value only
        ),
    )
    assert config.settings["timeout"] == "3600s"
    assert config.settings["min_instances"] == 1 and config.settings["max_instances"] == 20
    assert config.settings["cpu_throttling"] is False and config.settings["concurrency"] == 250
    assert config.settings["vpc_connector"] == "staging-vpc"
    job = manifest.workloads[2].resource
    task = job.template.template
    assert task.timeout == timedelta(seconds=900) and "max_retries" in task
    assert list(task.containers[0].args) == ["migrate", "--to", "head"]


def test_a_sensitive_value_is_a_secret_no_output_can_carry() -> None:
    secret = "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"
    read(dumps(plan()), "plan.json")
    assert redact.scrub(f"x {secret} y") == "x *** y"


MAX_COUNT = "resource_changes[1].change.after.template[0].scaling[0].max_instance_count"
UNSHOWN = " (its value is marked sensitive: not shown)"


@pytest.mark.parametrize(
    ("marks", "said"),
    [
        ({"template": [{"scaling": [{"max_instance_count": True}]}]}, UNSHOWN),
        ({"template": True}, UNSHOWN),
        (True, UNSHOWN),
        ({"template": [{"scaling": [{"min_instance_count": True}]}]}, ", not 3000000017"),
        ({}, ", not 3000000017"),
    ],
    ids=["the-number", "its-template", "all-of-after", "another-number", "none"],
)
def test_a_number_out_of_range_is_quoted_only_where_no_mark_makes_it_sensitive(
    marks: Any, said: str
) -> None:
    """helper-778 F4: `max_instance_count = var.n`, a sensitive variable, out of an int32's
    range was refused as "expected at most 2147483647, not 3000000017": the value printed. A
    number is no text `redact` finds; where `after_sensitive` marks it, the path and the bound
    are said, never the value."""
    data = plan()
    _at(data, *AFTER, "template", 0, "scaling", 0)["max_instance_count"] = 3000000017
    _at(data, "resource_changes", 1, "change")["after_sensitive"] = marks
    assert problems_of(dumps(data), "plan.json") == [
        f"plan.json: {MAX_COUNT}: expected at most 2147483647{said}"
    ]


@pytest.mark.parametrize(
    ("marks", "targets"),
    [
        ({"template": True}, {("*", None)}),
        ({"template": [{"containers": [True]}]}, {("*", None)}),
        ({"template": [{"containers": [{"image": True}]}]}, {("setting.image", None)}),
        ({"template": [{"containers": [{"args": True}]}]}, {("setting.args", None)}),
        ({"template": [{"containers": [{"command": True}]}]}, {("setting.command", None)}),
        ({"template": [{"containers": [{"working_dir": True}]}]}, {("setting.working_dir", None)}),
        ({"template": [{"service_mesh": True}]}, {("setting.service_mesh", None)}),
        (
            {"template": [{"containers": [{"resources": True}]}]},
            {(f"setting.{n}", None) for n in ("cpu", "memory", "concurrency")}
            | {("setting.cpu_throttling", None), ("setting.startup_cpu_boost", None)},
        ),
        ({"template": [{"containers": [{"env": True}]}]}, {("env.*", None)}),
        (
            {"template": [{"containers": [{"env": [{}, {"value_source": True}]}]}]},
            {("env.LOG_FORMAT", None)},
        ),
        (  # which volumes are mounted: those the volume rows read (fields.ports.mounted)
            {"template": [{"containers": [{"volume_mounts": True}]}]},
            {
                ("mount.*", None),
                ("setting.cloudsql_instances", None),
                ("setting.storage_buckets", None),
                ("setting.nfs_shares", None),
            },
        ),
        (
            {"template": [{"volumes": True}]},
            {
                ("mount.*", None),
                ("setting.cloudsql_instances", None),
                ("setting.storage_buckets", None),
                ("setting.nfs_shares", None),
            },
        ),
        (
            {"template": [{"service_account": True}]},
            {("setting.service_account", None), ("secret.*", "secret.no_access")},
        ),
        (
            {"template": [{"scaling": True}]},
            {("setting.min_instances", None), ("setting.max_instances", None)},
        ),
        ({"ingress": True, "uri": True, "etag": True}, {("setting.ingress", None)}),
        ({"labels": {"team": True}, "traffic": True}, set()),
    ],
)
def test_what_each_unknown_value_hides(marks: dict[str, Any], targets: set[Any]) -> None:
    data = plan()
    data["resource_changes"][1]["change"]["after_unknown"] = marks
    api = read(dumps(data), "plan.json").workloads[0]
    assert {(u.target, u.rule) for u in api.unknown} == targets


def test_a_secret_whose_version_terraform_has_not_chosen_is_not_read() -> None:
    data = plan()
    change = data["resource_changes"][1]["change"]
    del change["after"]["template"][0]["containers"][0]["env"][10]["value_source"][0][
        "secret_key_ref"
    ][0]["version"]
    change["after_unknown"]["template"][0]["containers"][0]["env"][10] = {
        "value_source": [{"secret_key_ref": [{"version": True}]}]
    }
    volume = {
        "name": "keys",
        "secret": [{"secret": "secret-key-staging", "items": [{"path": "k"}]}],
    }
    change["after"]["template"][0]["volumes"] = [volume]
    change["after_unknown"]["template"][0]["volumes"] = [
        {"secret": [{"items": [{"version": True}]}]}
    ]
    api = read(dumps(data), "plan.json").workloads[0]
    template = api.resource.template
    secret_key = next(v for v in template.containers[0].env if v.name == "SECRET_KEY")
    assert not secret_key.value_source.secret_key_ref.secret  # not `latest` in its place
    assert "secret" not in template.volumes[0]
    assert {u.target for u in api.unknown} == {"env.REDIS_HOST", "env.SECRET_KEY", "mount.*"}


def test_the_settings_catalogue_is_mapped_to_terraform() -> None:
    """A new setting must say where a Terraform plan holds it (unknowns.SETTINGS)."""
    assert {name for _, names in SETTINGS for name in names} == set(FIELDS)


def test_resources_a_plan_does_not_run_are_not_checked() -> None:
    data = plan()
    changes = data["resource_changes"]
    changes[1]["change"]["actions"] = ["delete", "create"]  # replaced: runs afterwards
    changes[2]["change"]["actions"] = ["no-op"]  # unchanged: runs afterwards
    changes.append(copy.deepcopy(changes[2]) | {"address": "google_cloud_run_service.old"})
    changes[-1]["type"] = "google_cloud_run_service"
    forgotten = copy.deepcopy(changes[1])
    forgotten["change"]["actions"] = ["forget"]
    forgotten["address"] = "google_cloud_run_v2_service.legacy"
    changes.append(forgotten)
    deposed = copy.deepcopy(changes[2]) | {"deposed": "00000001"}  # create_before_destroy
    deposed["change"]["actions"] = ["delete"]
    changes.append(deposed)
    manifest = read(dumps(data), "plan.json")
    assert [w.name for w in manifest.workloads] == ["api", "auth", "db-migrate"]
    assert [d.address for d in manifest.destroyed] == ["google_cloud_run_v2_service.web"]
    assert manifest.notes == (
        "plan.json: google_cloud_run_service.old not checked (the Cloud Run v1 (Knative) resource)",
        "plan.json: google_cloud_run_v2_service.legacy is no longer managed by Terraform "
        "(forget): it keeps running as it is, and this plan says nothing of it: not checked",
        f"plan.json: {changes[2]['address']}: a deposed object the plan destroys: not checked",
    )


def _at(data: dict[str, Any], *path: Any) -> Any:
    for step in path:
        data = data[step]
    return data


def _mutated(change: Any) -> str:
    data = plan()
    change(data)
    return dumps(data)


AFTER = ("resource_changes", 1, "change", "after")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (  # helper-544 F1: an internal error ("unhashable type") naming no file
            lambda d: _at(d, "resource_changes", 1).__setitem__("type", ["google_x"]),
            "plan.json: resource_changes[1].type: expected a string, found a list",
        ),
        (
            lambda d: _at(d, *AFTER)["template"].__setitem__(0, "oops"),
            "plan.json: resource_changes[1].change.after.template[0]: expected an object, "
            "found a string",
        ),
        (
            lambda d: _at(d, *AFTER).__setitem__("template", [{}, {}]),
            "plan.json: resource_changes[1].change.after.template: expected at most one block, "
            "found 2",
        ),
        (
            lambda d: _at(d, *AFTER, "template", 0, "containers", 0, "env", 2).__setitem__(
                "value", 7
            ),
            "plan.json: resource_changes[1].change.after.template[0].containers[0].env[2].value: "
            "expected a string, found a number",
        ),
        (
            lambda d: _at(d, *AFTER, "template", 0).__setitem__("timeout", "an hour"),
            "plan.json: resource_changes[1].change.after.template[0].timeout: 'an hour' is not a "
            "duration such as 300s",
        ),
        (
            lambda d: _at(d, *AFTER, "template", 0).__setitem__(
                "max_instance_request_concurrency", 2**40
            ),
            "plan.json: resource_changes[1].change.after.template[0]"
            ".max_instance_request_concurrency: expected at most 2147483647, not 1099511627776",
        ),
        (  # helper-766: "Value out of range: " and all of its 4000 digits
            lambda d: _at(d, *AFTER, "template", 0).__setitem__(
                "max_instance_request_concurrency", 10**4000
            ),
            "plan.json: resource_changes[1].change.after.template[0]"
            ".max_instance_request_concurrency: expected at most 2147483647, not a huge number",
        ),
        (  # helper-766: an internal error (Python's int of more than 4300 digits)
            lambda d: _at(d, *AFTER, "template", 0).__setitem__(
                "max_instance_request_concurrency", "-" + "9" * 5000
            ),
            "plan.json: resource_changes[1].change.after.template[0]"
            ".max_instance_request_concurrency: expected at least -2147483648, not "
            f"{'-' + '9' * 29!r}… (5001 characters)",
        ),
        (  # helper-766: its 5000 digits
            lambda d: _at(d, *AFTER, "template", 0).__setitem__("timeout", "9" * 5000 + "s"),
            "plan.json: resource_changes[1].change.after.template[0].timeout: "
            f"{'9' * 30!r}… (5001 characters) is not a duration such as 300s",
        ),
        (  # helper-766: an internal error (int("²"), which str.isdigit takes)
            lambda d: _at(d, *AFTER, "template", 0).__setitem__(
                "max_instance_request_concurrency", "\u00b2"
            ),
            "plan.json: resource_changes[1].change.after.template[0]"
            ".max_instance_request_concurrency: expected a whole number, found a string",
        ),
        (
            lambda d: _at(d, *AFTER, "template", 0, "containers", 0).__setitem__(
                "resources", [{"limits": ["1"]}]
            ),
            "plan.json: resource_changes[1].change.after.template[0].containers[0].resources[0]"
            ".limits: expected an object, found a list",
        ),
        (
            lambda d: _at(d, "resource_changes", 1, "change").__setitem__(
                "after_unknown", {"uri": "x"}
            ),
            "plan.json: resource_changes[1].change.after_unknown.uri: expected true, false, an "
            "object or a list, found a string",
        ),
        (
            lambda d: _at(d, "resource_changes", 1, "change").__setitem__(
                "after_sensitive", {"template": [{"containers": 3}]}
            ),
            "plan.json: resource_changes[1].change.after_sensitive.template[0].containers: "
            "expected true, false, an object or a list, found a number",
        ),
        (
            lambda d: _at(d, "resource_changes", 1, "change").__setitem__("after_sensitive", "yes"),
            "plan.json: resource_changes[1].change.after_sensitive: expected true, false, an "
            "object or a list, found a string",
        ),
        (
            lambda d: _at(d, "resource_changes", 1, "change").__setitem__("actions", "update"),
            "plan.json: resource_changes[1].change.actions: expected a list, found a string",
        ),
        (  # it was skipped, and the plan then said to name no service ("it has auth")
            lambda d: _at(d, "resource_changes", 1).__setitem__("mode", "weird"),
            'plan.json: resource_changes[1].mode: expected "managed" or "data", found "weird"',
        ),
        (
            lambda d: _at(d, "resource_changes", 1).__setitem__("mode", ["managed"]),
            'plan.json: resource_changes[1].mode: expected "managed" or "data", found a list',
        ),
        (
            lambda d: _at(d, "resource_changes").__setitem__(1, None),
            "plan.json: resource_changes[1]: expected an object, found null",
        ),
        (  # helper-740 F3: read as a name not known until apply (exit 3, "not verified")
            lambda d: _at(d, *AFTER).__setitem__("name", 5),
            "plan.json: resource_changes[1].change.after.name: expected a string, found a number",
        ),
        (  # helper-740 F3: passed over, and the service checked as one of the profile's region
            lambda d: _at(d, *AFTER).__setitem__("location", ["us-central1"]),
            "plan.json: resource_changes[1].change.after.location: expected a string, found a list",
        ),
        (
            lambda d: d.__setitem__("resource_changes", {}),
            "plan.json: resource_changes: expected a list, found an object",
        ),
        (
            lambda d: d.pop("resource_changes"),
            "plan.json: resource_changes: this Terraform output has no resource_changes",
        ),
    ],
)
def test_a_malformed_plan_is_one_clear_line_at_its_json_path(change: Any, expected: str) -> None:
    found = problems_of(_mutated(change), "plan.json")
    assert any(p.startswith(expected) for p in found), found


def test_a_broken_plan_file_says_where_json_broke() -> None:
    text = PLAN.read_text()
    (found,) = problems_of(text[: len(text) // 2], "plan.json")
    assert found.startswith("plan.json:") and "invalid JSON" in found


def test_state_instead_of_a_plan_says_what_to_run() -> None:
    state = {"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {}}}
    (found,) = problems_of(json.dumps(state), "state.json")
    assert "this Terraform state has no resource_changes" in found
    assert "terraform show -json plan" in found


def test_a_worker_pool_is_read_as_the_worker_pool_cloud_run_would_hold() -> None:
    """`google_cloud_run_v2_worker_pool`: the WorkerPool message (its full name in
    `workerPools`), manual scaling and instance splits as the proto has them, what the
    provider computes left out, and a value not known until apply said so."""
    from google.cloud import run_v2

    from tests.manifest.test_check_manifest import pool_plan

    data = pool_plan()
    change = data["resource_changes"][0]["change"]
    change["after"]["instance_split_statuses"] = [{"type": "X", "percent": 100}]
    containers = change["after"]["template"][0]["containers"]
    containers[0]["env"].append({"name": "BROKER", "value": None, "value_source": []})
    change["after_unknown"]["template"] = [{"containers": [{"env": [{}, {"value": True}]}]}]
    manifest = read(dumps(data), "pool.json")
    (pool,) = manifest.workloads
    assert (pool.kind, pool.name, pool.where) == (
        "worker_pool",
        "consumer",
        "pool.json: google_cloud_run_v2_worker_pool.consumer",
    )
    resource = pool.resource
    assert isinstance(resource, run_v2.WorkerPool)
    assert resource.name == "projects/acme-chat-staging/locations/us-central1/workerPools/consumer"
    assert resource.scaling.manual_instance_count == 2
    split = resource.instance_splits[0]
    assert split.type_ == run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST
    assert not resource.instance_split_statuses  # what the server reports is not a spec
    assert pool.unknown == (
        Unknown(
            "env.BROKER",
            "not known until apply (pool.json: resource_changes[0].change.after.template[0]"
            ".containers[0].env[1].value)",
            container="consumer",
            value=True,  # a plain variable's value only
        ),
    )
    assert manifest.notes == ()


def test_what_is_close_to_a_plan_is_told_what_to_give_instead() -> None:
    """The log `terraform plan -json` streams was "invalid JSON: Extra data"; a plan Terraform
    marks errored was told it was not a Knative Service."""
    streamed = (
        '{"@level":"info","@message":"Terraform 1.9.0","@module":"terraform.ui",'
        '"type":"version","terraform":"1.9.0","ui":"1.2"}\n'
        '{"@level":"info","@message":"Plan: 1 to add","type":"change_summary"}\n'
    )
    (said,) = problems_of(streamed, "plan.json")
    assert "the log `terraform plan -json` streams" in said
    assert "terraform show -json plan" in said
    (said,) = problems_of('{"format_version": "1.2", "errored": true}', "plan.json")
    assert "marked errored (planning failed" in said
    # a plain JSON mistake is still named where it is; two documents are said to be two
    # (helper-698 F5)
    (said,) = problems_of('{"a": 1}\n{"b": 2}\n', "plan.json")
    assert said.startswith("plan.json:2: a second JSON document"), said
    (said,) = problems_of('{"a": 1}\n"b"\n', "plan.json")
    assert "invalid JSON: Extra data" in said


def test_a_plan_saved_with_a_byte_order_mark_is_read_as_a_plan() -> None:
    """A BOM sent the file to the YAML reader, whose limit (MAX_BYTES) is far below a plan's:
    a large plan saved by a Windows editor was refused, the same plan without one accepted.
    The padding is declared, not sensitive, as Terraform writes every variable's declaration
    beside its value (`configuration.root_module.variables`): undeclared, it may be sensitive
    and its 8 MiB were registered for masking on each read (`plansecrets`), seconds of CPU on
    what this test is not about."""
    plan = json.loads(PLAN.read_text())
    plan["variables"] = {"padding": {"value": "x" * MAX_BYTES}}
    plan["configuration"]["root_module"] = {"variables": {"padding": {}}}
    text = json.dumps(plan).encode()
    assert read(b"\xef\xbb\xbf" + text, "plan.json").workloads == read(text, "plan.json").workloads


def test_a_number_python_will_not_convert_is_invalid_json_at_its_line() -> None:
    """revinput60 F3: json.loads raised a bare ValueError (Python's 4300-digit limit), shown as
    an internal error that told the user to call sys.set_int_max_str_digits()."""
    (found,) = problems_of('{\n  "format_version": ' + "9" * 5000 + "}", "plan.json")
    assert found == "plan.json:2: invalid JSON: a number of more than 4300 digits (column 21)"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("NaN", "NaN is not JSON (RFC 8259 section 6: no NaN or Infinity) (column 21)"),
        ("-Infinity", "-Infinity is not JSON (RFC 8259 section 6: no NaN or Infinity) (column 21)"),
        ("1e400", "the number 1e400 is out of range (column 21)"),
    ],
)
def test_what_python_reads_as_a_number_and_json_does_not_have_is_invalid_json(
    value: str, said: str
) -> None:
    """helper-544 F4: Python's reader took NaN, Infinity and an overflowing 1e400 as numbers,
    and the plan was refused as "expected a string, found a number"; a string holding those
    words is no number and no refusal."""
    text = '{"note": "NaN, -Infinity",\n  "format_version": ' + value + "}"
    (found,) = problems_of(text, "plan.json")
    assert found == f"plan.json:2: invalid JSON: {said}"


REDIS = ("resource_changes", 0, "change", "after")
"""google_redis_instance.cache's `after`: a resource drift does not read as a workload."""
TOO_DEEP = "nested deeper than {} levels"


@pytest.mark.parametrize(
    ("at", "depth", "refused"),
    [
        (AFTER, 700, f"resource_changes[1].change.after.zz_nested...: {TOO_DEEP.format(100)}"),
        (AFTER, 90, None),
        (REDIS, 190, None),  # helper-778 F3: a CRD's schema of a kubernetes_manifest
        (REDIS, 700, f"resource_changes[0].change.after.zz_nested...: {TOO_DEEP.format(500)}"),
    ],
    ids=["workload-700", "workload-90", "other-190", "other-700"],
)
def test_a_plan_nested_deeper_than_drift_reads_is_one_line_at_its_path(
    at: tuple[Any, ...], depth: int, refused: str | None
) -> None:
    """helper-766: an attribute of api's `after` nested 700 deep (JSON reads 990) was an
    internal error, a RecursionError copying `after`; 90 deep (95 in the plan) is read.
    helper-778 F3: the limit refused the whole plan for another resource's attribute nested
    190 deep, which drift walks only for the values it masks, and named no path: a Cloud
    Run resource is held to 100 levels, the rest of the plan to 500, each named at its path
    down to the attribute."""
    data = plan()
    _at(data, *at)["zz_nested"] = "@"
    text = dumps(data).replace('"@"', "[" * depth + "1" + "]" * depth)
    if refused:
        assert problems_of(text, "plan.json") == [f"plan.json: {refused}"]
    else:
        assert [w.name for w in read(text, "plan.json").workloads][:1] == ["api"]


def test_a_knative_json_manifest_nested_too_deep_is_named_at_its_path() -> None:
    """A Knative manifest in JSON is what drift reads whole: held to 100 levels, its path
    named."""
    service = {"apiVersion": "serving.knative.dev/v1", "kind": "Service",
               "metadata": {"name": "api"},
               "spec": {"template": {"spec": {"containers": [{"image": "@"}]}}}}  # fmt: skip
    text = json.dumps(service).replace('"@"', "[" * 120 + "1" + "]" * 120)
    assert problems_of(text, "api.json") == [
        f"api.json: spec.template.spec.containers[0]...: {TOO_DEEP.format(100)}"
    ]
