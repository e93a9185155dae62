"""`drift plan --format yaml` and the Knative pair: over realistic services, the YAML read back
into the run_v2 message is the live service with exactly the patch applied (and a fresh
revision name where the template fixed one); what cannot be written exactly is said at the top
and makes `replace` refuse the file; no placeholder ever stands for an untouched value."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from google.cloud import run_v2
from ruamel.yaml import YAML

from drift.fix.formats.knative_yaml import NOT_APPLIABLE, plan_yaml
from drift.fix.knative import from_knative, to_knative, writable
from drift.fix.model import Action, EnvChange, Plan, ServicePlan, SettingChange
from drift.fix.patch import patched_template
from drift.fix.revision_name import fresh_revision_name
from drift.kinds import Kind
from drift.live.model import EnvVar
from drift.refs import SecretRef
from tests.fix import shapes

NEW_KEY = SecretRef("new-key", "2", project="987654321098")


def service_plan(live: run_v2.Service) -> ServicePlan:
    names = tuple(c.name for c in live.template.containers)
    env = [
        EnvChange(Action.REMOVE, "TESTING", EnvVar("TESTING", value="true")),
        EnvChange(Action.SET_VALUE, "LOG_LEVEL", EnvVar("LOG_LEVEL", value="info"), value="debug"),
        EnvChange(Action.SET_SECRET, "NEW_KEY", None, ref=NEW_KEY),
    ]
    if "otel" in names:
        before = EnvVar("OTEL_LEVEL", value="warn")
        env.append(
            EnvChange(Action.SET_VALUE, "OTEL_LEVEL", before, value="info", container="otel")
        )
    return ServicePlan(
        service="api",
        full_name=live.name,
        etag=live.etag,
        region="europe-west1",
        project="acme-prod",
        revision="api-00041-xqz",
        env=tuple(env),
        settings=(SettingChange("timeout", "300s", "600s"),),
        containers=names,
        primary="app",
    )


def by_hand(live: run_v2.Service) -> run_v2.Service:
    """The live service with the plan applied, written out independently of the code."""
    out = writable(live)
    for c in out.template.containers:
        if c.name == "app":
            env = [v for v in c.env if v.name != "TESTING"]
            for v in env:
                if v.name == "LOG_LEVEL":
                    v.value = "debug"
            env.append(shapes.secret_env("NEW_KEY", "projects/987654321098/secrets/new-key", "2"))
            c.env = env
        if c.name == "otel":
            for v in c.env:
                if v.name == "OTEL_LEVEL":
                    v.value = "info"
    out.template.timeout = timedelta(seconds=600)
    return out


def same(got: Any, want: Any) -> None:
    """Equal messages, or a readable diff of their text forms."""
    if got != want:
        diff = difflib.unified_diff(str(want).splitlines(), str(got).splitlines(), lineterm="")
        pytest.fail("read back differs from the expectation:\n" + "\n".join(diff))


def render(live: run_v2.Service, *, reveal: bool = False) -> tuple[str, dict[str, Any]]:
    sp = service_plan(live)
    patched = patched_template(live, sp, "app", clear_name=False)  # as plan_environment does
    plan = Plan("prod", "acme-prod", "europe-west1", (sp,))
    text = plan_yaml(plan, {"api": patched}, reveal=reveal)
    return text, YAML(typ="safe", pure=True).load(text)


@pytest.mark.parametrize("make", shapes.REALISTIC.values(), ids=list(shapes.REALISTIC))
def test_yaml_read_back_is_the_live_service_plus_the_patch(
    make: Callable[[], run_v2.Service],
) -> None:
    live = make()
    text, doc = render(live, reveal=True)  # a probe header's value (the sidecar's) only so
    assert NOT_APPLIABLE not in doc, doc.get(NOT_APPLIABLE)
    assert "Apply: gcloud run services replace FILE --project=acme-prod" in text
    assert doc["apiVersion"] == "serving.knative.dev/v1" and doc["kind"] == "Service"
    assert doc["metadata"]["labels"]["cloud.googleapis.com/location"] == "europe-west1"
    back = from_knative(doc)
    expected = by_hand(live)
    if live.template.revision:
        name = doc["spec"]["template"]["metadata"]["name"]
        assert name != live.template.revision and name.startswith("api-release-42-drift-")
        expected.template.revision = name
    same(writable(back), expected)
    assert "${" not in text


def test_every_field_the_shapes_set_is_in_the_yaml() -> None:
    """Spot checks of the Knative names (facts §12), so a field cannot silently go missing
    in both directions at once."""
    _, sidecar = render(shapes.sidecar())
    template = sidecar["spec"]["template"]
    ann = template["metadata"]["annotations"]
    assert ann["run.googleapis.com/container-dependencies"] == '{"app": ["otel"]}'
    assert ann["run.googleapis.com/secrets"].endswith(":projects/987654321098/secrets/new-key")
    otel = template["spec"]["containers"][1]
    assert otel["name"] == "otel" and otel["livenessProbe"]["httpGet"]["port"] == 13133
    assert {"name": "OTEL_LEVEL", "value": "info"} in otel["env"]
    _, scaling = render(shapes.service_scaling())
    meta = scaling["metadata"]["annotations"]
    assert meta["run.googleapis.com/minScale"] == "2"
    assert meta["run.googleapis.com/invoker-iam-disabled"] == "true"
    assert meta["run.googleapis.com/default-url-disabled"] == "true"
    assert meta["run.googleapis.com/binary-authorization-breakglass"] == "INC-1234"
    assert "run.googleapis.com/operation-id" not in meta  # server-set: left out, as gcloud does
    assert scaling["spec"]["traffic"][1] == {"percent": 10, "latestRevision": True, "tag": "next"}
    _, vpc = render(shapes.direct_vpc())
    interfaces = vpc["spec"]["template"]["metadata"]["annotations"]
    assert interfaces["run.googleapis.com/network-interfaces"] == (
        '[{"network": "prod-vpc", "subnetwork": "run-ew1", "tags": ["run", "api"]}]'
    )
    _, sql = render(shapes.cloud_sql())
    sql_ann = sql["spec"]["template"]["metadata"]["annotations"]
    assert sql_ann["run.googleapis.com/cloudsql-instances"] == (
        "acme-prod:europe-west1:orders,acme-prod:europe-west1:audit"
    )
    assert sql_ann["run.googleapis.com/post-key-revocation-action-type"] == "shut-down"


def test_untouched_credential_is_masked_and_the_file_refused_unless_asked() -> None:
    live = shapes.plain_credential()
    text, doc = render(live)
    env = {v["name"]: v for v in doc["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["DATABASE_URL"] == {"name": "DATABASE_URL", "value": "***"}
    assert "hunter2" not in text and "${" not in text
    assert "app/DATABASE_URL looks like a credential" in doc[NOT_APPLIABLE]
    assert "--include-plain-credentials" in text
    revealed, doc = render(live, reveal=True)
    assert NOT_APPLIABLE not in doc
    assert "postgres://app:hunter2-0x5e7a@10.0.0.5/orders" in revealed
    assert "keep this file out of version control" in revealed
    same(writable(from_knative(doc)), by_hand(live))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda s: s.template.containers.append(
                run_v2.Container(
                    name="proxy",
                    image="proxy:1",
                    volume_mounts=[run_v2.VolumeMount(name="cloudsql", mount_path="/cloudsql")],
                )
            ),
            "Cloud SQL",
        ),
        (
            lambda s: s.template.containers.append(
                run_v2.Container(
                    name="side",
                    image="side:1",
                    resources=run_v2.ResourceRequirements(cpu_idle=False),
                )
            ),
            "cpu_idle differs between containers",
        ),
        (
            lambda s: setattr(
                s.template, "encryption_key_shutdown_duration", timedelta(minutes=90)
            ),
            "not whole hours",
        ),
        (
            lambda s: s.template.annotations.update({"autoscaling.knative.dev/maxScale": "3"}),
            "contradicts its field",
        ),
    ],
)
def test_what_knative_cannot_say_makes_the_file_not_appliable(
    change: Callable[[run_v2.Service], None], reason: str
) -> None:
    live = shapes.cloud_sql()
    change(live)
    text, doc = render(live)
    assert reason in doc[NOT_APPLIABLE]
    assert "# NOT APPLIABLE as is" in text and "Apply:" not in text


def _cpu(service: run_v2.Service) -> list[tuple[str, object, object]]:
    """Each container's CPU allocation as the catalogue reads it (a container without
    resources: throttled, no boost)."""
    from drift.live.normalize import revision_config

    out = []
    for c in service.template.containers:
        settings = revision_config(service.template, service=service, container=c.name).settings
        out.append((c.name, settings["cpu_throttling"], settings["startup_cpu_boost"]))
    return out


def test_a_container_without_resources_is_written_as_the_catalogue_reads_its_cpu() -> None:
    """Knative has one CPU allocation per revision, and reading it back gives it to every
    container (revmanifest 2). A container without resources is throttled without boost: it
    was read as cpu_idle false, so a sidecar's `cpu_idle: true` was written `'false'` and
    came back changed; and one that differs from a sized sidecar is said, not written."""
    live = shapes.sidecar()
    app, otel = live.template.containers
    del app.resources
    otel.resources.startup_cpu_boost = False  # as the unsized app: throttled, no boost
    exported = to_knative(live, project="acme-prod", region="europe-west1", reveal=True)
    assert exported.conversion.exact, exported.conversion.inexact
    ann = exported.document["spec"]["template"]["metadata"]["annotations"]
    assert ann["run.googleapis.com/cpu-throttling"] == "true"
    assert ann["run.googleapis.com/startup-cpu-boost"] == "false"
    assert _cpu(from_knative(exported.document)) == _cpu(live)
    otel.resources.startup_cpu_boost = True  # the app still has none
    exported = to_knative(live, project="acme-prod", region="europe-west1")
    assert any(
        r.startswith("startup_cpu_boost differs between containers")
        for r in exported.conversion.inexact
    )


def test_template_that_is_not_what_serves_is_not_appliable() -> None:
    live = shapes.sidecar()
    sp = service_plan(live)
    sp = ServicePlan(**{**sp.__dict__, "unreleased": "the service template differs"})
    plan = Plan("prod", "acme-prod", "europe-west1", (sp,))
    doc = YAML(typ="safe", pure=True).load(
        plan_yaml(plan, {"api": patched_template(live, sp, "app")})
    )
    assert "would release the template too" in doc[NOT_APPLIABLE]


def test_hostile_values_are_ascii_escapes_that_read_back_exactly() -> None:
    live = shapes.sidecar()
    hostile = "a\x1b[2K\x1b]52;c;cHduZWQ=\x07b\nc\u202ed\x85e'\"$(x)`y`\\"
    live.template.containers[0].env.append(run_v2.EnvVar(name="NOTE", value=hostile))
    text, doc = render(live, reveal=True)  # the sidecar's probe header written
    assert text.isascii()
    assert not any(ord(c) < 32 and c != "\n" for c in text)
    env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "NOTE", "value": hostile} in env
    same(writable(from_knative(doc)), by_hand(live))


@pytest.mark.parametrize("value", ["##[error]x", "a'##[b", "##[\x1b", "##[##["])
def test_a_runner_command_in_a_value_is_escaped_and_reads_back_exactly(value: str) -> None:
    """A CI runner reads `##[command]` anywhere in a line (revown2 5): the YAML has none, and
    a YAML parser reads the value back as it is."""
    live = shapes.sidecar()
    live.template.containers[0].env.append(run_v2.EnvVar(name="NOTE", value=value))
    live.template.labels["team"] = value.replace("\x1b", "")
    text, doc = render(live)
    assert "##[" not in text
    env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "NOTE", "value": value} in env


def test_job_round_trip() -> None:
    job = shapes.job()
    exported = to_knative(job, project="acme-prod", region="europe-west1")
    doc = exported.document
    assert exported.conversion.exact
    assert doc["apiVersion"] == "run.googleapis.com/v1" and doc["kind"] == "Job"
    task = doc["spec"]["template"]["spec"]["template"]["spec"]
    assert task["timeoutSeconds"] == "600" and task["maxRetries"] == 3
    assert doc["spec"]["template"]["spec"]["taskCount"] == 10
    same(writable(from_knative(doc)), writable(job))


def test_worker_pool_round_trip() -> None:
    pool = shapes.worker_pool()
    exported = to_knative(pool, project="acme-prod", region="europe-west1")
    doc = exported.document
    assert exported.conversion.exact, exported.conversion.inexact
    assert doc["apiVersion"] == "run.googleapis.com/v1" and doc["kind"] == "WorkerPool"
    annotations = doc["metadata"]["annotations"]
    assert annotations["run.googleapis.com/manualInstanceCount"] == "3"
    assert annotations["run.googleapis.com/scalingMode"] == "manual"
    assert annotations["run.googleapis.com/launch-stage"] == "BETA"
    assert doc["spec"]["instanceSplits"] == [{"percent": 100, "revisionName": "ingest-00007-abc"}]
    spec = doc["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["worker", "cloud-sql-proxy"]
    assert "containerConcurrency" not in spec and "timeoutSeconds" not in spec
    same(writable(from_knative(doc)), writable(pool))


def test_worker_pool_to_latest_and_without_a_count_round_trips() -> None:
    pool = shapes.worker_pool()
    latest = run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST
    pool.instance_splits = [run_v2.InstanceSplit(type_=latest, percent=100)]
    run_v2.WorkerPool.pb(pool).ClearField("scaling")
    doc = to_knative(pool, project="acme-prod", region="europe-west1").document
    assert doc["spec"]["instanceSplits"] == [{"percent": 100, "latestRevision": True}]
    assert "run.googleapis.com/manualInstanceCount" not in doc["metadata"]["annotations"]
    same(writable(from_knative(doc)), writable(pool))


def test_a_pool_stopped_at_zero_instances_says_zero() -> None:
    # manual_instance_count is `optional` (worker_pool.proto): 0 is a count, not "unset"
    pool = shapes.worker_pool()
    pool.scaling = run_v2.WorkerPoolScaling(manual_instance_count=0)
    doc = to_knative(pool, project="acme-prod", region="europe-west1").document
    assert doc["metadata"]["annotations"]["run.googleapis.com/manualInstanceCount"] == "0"
    back = from_knative(doc)
    assert "manual_instance_count" in back.scaling and back.scaling.manual_instance_count == 0


@pytest.mark.parametrize("kind", [Kind.JOB, Kind.WORKER_POOL])
def test_a_job_or_pool_plan_is_offered_as_the_yaml_its_replace_takes(kind: Kind) -> None:
    live: Any = shapes.job() if kind is Kind.JOB else shapes.worker_pool()
    live.generation = 5
    name = "nightly-export" if kind is Kind.JOB else "ingest"
    sp = ServicePlan(
        service=name,
        full_name=live.name,
        etag="e1",
        region="europe-west1",
        project="acme-prod",
        revision="",
        env=(EnvChange(Action.SET_VALUE, "MODE", None, value="batch"),),
        kind=kind,
    )
    # the pool's two containers have no port: its profile names the one `env` describes
    main = "worker" if kind is Kind.WORKER_POOL else None  # (helper-619 F4)
    patched = patched_template(live, sp, main, clear_name=False)
    text = plan_yaml(Plan("prod", "acme-prod", "europe-west1", (sp,)), {sp.key: patched})
    doc = YAML(typ="safe", pure=True).load(text)
    assert NOT_APPLIABLE not in doc, doc.get(NOT_APPLIABLE)
    group = "run jobs" if kind is Kind.JOB else "beta run worker-pools"  # no GA pools in 528
    assert f"Apply: gcloud {group} replace FILE --project=acme-prod" in text
    assert (  # helper-530 F3: only over the generation read
        f'#   test "$(gcloud {group} describe {name} --project=acme-prod --region=europe-west1 '
        f"--format='value(metadata.generation)')\" = {live.generation} && gcloud {group} "
        "replace FILE --project=acme-prod\n"
    ) in text
    assert f"{kind.noun} {name} as read, with only this plan applied:" in " ".join(text.split())
    assert doc["kind"] == ("Job" if kind is Kind.JOB else "WorkerPool")
    same(writable(from_knative(doc)), writable(patched))
    assert writable(patched) != writable(live)  # the patch is in it


def test_fresh_revision_names_fit_cloud_run_rules() -> None:
    template = shapes.fixed_revision_name().template
    first = fresh_revision_name("api", "api-release-42", template)
    assert first == fresh_revision_name("api", "api-release-42", template)  # same plan
    again = fresh_revision_name("api", first, template)
    assert again == first  # a drift suffix is replaced, not stacked
    other = run_v2.RevisionTemplate(template)
    other.timeout = timedelta(seconds=601)
    assert fresh_revision_name("api", "api-release-42", other) != first
    long = fresh_revision_name("s" * 49, "s" * 49 + "-" + "r" * 13, template)
    assert len(long) <= 63 and long.startswith("s" * 49 + "-")
    assert fresh_revision_name("api", "other-name", template).startswith("api-drift-")


def test_the_file_is_applied_only_over_the_generation_read() -> None:
    """helper-530 F3: `gcloud run services replace` sends the live resourceVersion with the
    file, so a file applied after a later deploy undid it without an error. The header says
    so, and gives the command that replaces only while the service is at the generation
    read; a workload whose generation is not known (0) gets the warning alone."""
    live = next(iter(shapes.REALISTIC.values()))()
    live.generation = 7
    text, _ = render(live, reveal=True)  # appliable: its probe header's value written
    said = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    assert "at once: `replace` writes this whole file over whatever the service is by then" in said
    assert "Only over what was read (generation 7):" in said
    assert "--format='value(metadata.generation)')\" = 7 && gcloud run services replace" in said
    live.generation = 0
    text, _ = render(live, reveal=True)
    assert "at once:" in text and "Only over what was read" not in text


def test_only_what_yaml_1_1_reads_otherwise_is_quoted() -> None:
    """helper-530 F5: every key and value was double-quoted (ruamel's resolver gives a `Tag`,
    whose hash is not its text's, so the set of the two parsers' tags never was {str}): the
    file was hard to review against `describe --format export`."""
    from drift.fix.formats.knative_yaml import _dump

    text = _dump({"apiVersion": "serving.knative.dev/v1", "a": "no", "b": "1:30", "c": "x y"})
    assert text == 'apiVersion: serving.knative.dev/v1\na: "no"\nb: "1:30"\nc: x y\n'
