"""`drift check ENV --manifest FILE` end to end, as a pipeline runs it between rendering a deploy
and running it: real processes against the sandbox through the official clients. A gcloud
export with a sidecar, a secret volume and a secret of another project; a Terraform plan with
plain values, secret references, a value not known until apply, a sensitive value and a
destroy; secrets checked live (existence, state, access) with no Cloud Run call, or not at all
with --offline; several files and standard input; every bad input one line and exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import REPO, drift
from tests.manifest.conftest import CHAT, JOB, MINIMAL, PLAN, PROFILES, WEB

SHAPES = default_scenario_path().with_name("real-shapes.yaml")
STAGING = str(REPO / "profiles")
SENSITIVE = "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"


def rel(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


def check(sandbox: Sandbox, *args: str, stdin: str | None = None) -> Any:
    return drift("check", *args, env=sandbox.environ(), stdin=stdin)


def report(done: Any) -> dict[str, Any]:
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def found(doc: dict[str, Any]) -> set[tuple[str, str, str, str | None]]:
    return {
        (f["rule"], f["service"], f["target"], f.get("container"))
        for f in doc["findings"]
        if not f["ignored"]
    }


def cloud_run_calls(sandbox: Sandbox) -> list[str]:
    return [c.method for c in sandbox.calls if c.method.startswith("google.cloud.run.")]


def profiles_of(tmp_path: Path, environment: str, text: str) -> str:
    """A profiles directory holding one profile."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / f"{environment}.yaml").write_text(text)
    return str(profiles)


def checked(sandbox: Sandbox, environment: str, profiles: str, manifest: str) -> tuple[Any, Any]:
    """`drift check ENV --manifest FILE -f json` with the sandbox's calls counted afresh."""
    sandbox.clear_calls()
    done = check(sandbox, environment, "--profiles", profiles, "-m", manifest, "-f", "json")
    return done, report(done)


def by_kind(doc: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {(f["rule"], f["target"], f["kind"], f["revision"]) for f in doc["findings"]}


def test_a_gcloud_export_is_checked_before_it_is_deployed(shapes: Sandbox) -> None:
    shapes.clear_calls()
    done = check(shapes, "prod", "--profiles", str(PROFILES), "-m", rel(CHAT), "-f", "json")
    doc = report(done)
    assert done.returncode == 1, done.stderr
    assert found(doc) == {
        ("env.value", "chat", "env.LOG_LEVEL", "app"),
        # the sidecar's secret, whose latest version is DISABLED in the sandbox
        ("secret.disabled", "chat", "secret.otel-token", "otel-collector"),
    }
    assert {f["revision"] for f in doc["findings"]} == {f"manifest:{rel(CHAT)}"}
    assert doc["summary"]["services"] == 1  # billing is not in the manifest: not checked
    assert doc["unverified"] == []
    # every secret it references was read, the foreign one in its own project (named by
    # number, read by its id: the same secret the profile names), the mounted one at the
    # version the volume names; and no Cloud Run call at all
    versions = {c.request.name for c in shapes.calls if c.short == "GetSecretVersion"}
    assert {
        "projects/acme-shared/secrets/partner-api-key/versions/1",
        "projects/acme-prod/secrets/tls-cert/versions/3",
        "projects/acme-prod/secrets/oauth-config/versions/latest",
        "projects/acme-prod/secrets/otel-token/versions/latest",
    } <= versions
    assert cloud_run_calls(shapes) == []


def test_offline_reads_nothing_and_is_never_clean(shapes: Sandbox, tmp_path: Path) -> None:
    shapes.clear_calls()
    args = ("prod", "--profiles", str(PROFILES), "--offline")
    done = check(shapes, *args, "-m", rel(CHAT), "-f", "json")
    doc = report(done)
    assert done.returncode == 1  # what the file says is drift still is
    assert found(doc) == {("env.value", "chat", "env.LOG_LEVEL", "app")}
    unverified = {u["target"]: u["reason"] for u in doc["unverified"]}
    assert set(unverified) == {
        "secret.chat-db-url",
        "secret.oauth-config",
        "secret.otel-token",
        "secret.tls-cert",
        "secret.600000000002/partner-api-key",
        # a project by number and one by id may be the same: not told apart offline
        "env.PARTNER_API_KEY",
        # the export's namespace, 500000000001, may be another project's (revmanifest60 F2)
        "service",
    }
    assert "--offline" in unverified["secret.tls-cert"]
    fixed = tmp_path / "chat.service.yaml"
    fixed.write_text(CHAT.read_text().replace("value: DEBUG", "value: INFO"))
    done = check(shapes, *args, "-m", str(fixed))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "no drift" not in done.stdout and "not clean (exit 3)" in done.stdout
    assert "note: --offline: nothing was read from Google Cloud" in done.stdout
    assert shapes.calls == []


def test_a_terraform_plan_is_checked_before_it_is_applied(sandbox: Sandbox) -> None:
    sandbox.clear_calls()
    done = check(sandbox, "staging", "--profiles", STAGING, "-m", rel(PLAN), "-f", "json")
    doc = report(done)
    assert done.returncode == 1, done.stderr
    # auth gets its OAuth secret as a plain (sensitive) value; api is what the profile says
    # web, which the profile lists, is destroyed by the plan: missing once applied (revcode3)
    assert found(doc) == {
        ("env.plaintext_secret", "auth", "env.OAUTH_CLIENT_SECRET", None),
        ("service.missing", "web", "service", None),
    }
    # every finding, web's service.missing too (the plan destroys it): `manifest:FILE`
    assert {f["revision"] for f in doc["findings"]} == {f"manifest:{rel(PLAN)}"}
    # the host of a Redis instance the plan creates is not known yet: not verified
    assert doc["unverified"] == [
        {
            "service": "api",
            "target": "env.REDIS_HOST",
            "reason": f"not known until apply ({rel(PLAN)}: resource_changes[1].change.after"
            ".template[0].containers[0].env[3].value)",
            "location": {"file": "profiles/staging.yaml", "line": 14},  # api's entry
        }
    ]
    assert doc["summary"]["services"] == 3  # web, destroyed by the plan: service.missing
    assert cloud_run_calls(sandbox) == []
    # api's SECRET_KEY has min_length: its value was read (and compared in memory only)
    assert "AccessSecretVersion" in {c.short for c in sandbox.calls}


@pytest.mark.parametrize("word", [False, True])
@pytest.mark.parametrize("fmt", ["table", "json", "github", "sarif", "markdown"])
def test_a_sensitive_value_never_leaves_in_any_format(
    sandbox: Sandbox, fmt: str, tmp_path: Path, word: bool
) -> None:
    """With `word`, the sensitive value is letters and `-` only: a single word, which the
    final scrub (`redact.scrub`) leaves alone, so the masking of the data is checked alone."""
    plan, sensitive = rel(PLAN), SENSITIVE
    if word:
        sensitive = "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dvexing"
        plan = str(tmp_path / "plan.json")
        Path(plan).write_text(PLAN.read_text().replace(SENSITIVE, sensitive))
    summary = tmp_path / "summary.md"
    env = {
        **sandbox.environ(),
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = drift(
        "check", "staging", "--profiles", STAGING, "-m", plan, "-f", fmt, "--verbose", env=env
    )
    assert done.returncode == 1, done.stderr
    # markdown on stdout is the summary the job writes itself: drift appends none then
    assert summary.exists() is (fmt != "markdown")
    for text in (done.stdout, done.stderr, summary.read_text() if summary.exists() else ""):
        assert sensitive not in text and "OAUTH_CLIENT_SECRET" in done.stdout
    if fmt == "sarif":
        schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
        jsonschema.Draft4Validator(schema).validate(json.loads(done.stdout))
    if fmt == "github":
        assert "::error file=profiles/staging.yaml,line=37,title=env.plaintext_secret (auth)::" in (
            done.stdout
        )


def test_a_plan_with_a_value_not_known_yet_is_incomplete_until_it_is(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    plan = json.loads(PLAN.read_text())
    plan["resource_changes"] = [plan["resource_changes"][1]]  # api only
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    done = check(sandbox, "staging", "--profiles", STAGING, "-m", str(path))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "env.REDIS_HOST" in done.stdout and "no drift" not in done.stdout
    change = plan["resource_changes"][0]["change"]
    change["after"]["template"][0]["containers"][0]["env"][3]["value"] = "10.24.0.3"
    change["after_unknown"]["template"][0]["containers"][0]["env"][3] = {"value_source": []}
    path.write_text(json.dumps(plan))
    done = check(sandbox, "staging", "--profiles", STAGING, "-m", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no drift (exit 0)" in done.stdout


def test_the_secrets_a_manifest_references_are_checked_live(sandbox: Sandbox) -> None:
    sandbox.clear_calls()
    done = check(sandbox, "staging", "--profiles", STAGING, "-m", rel(WEB), "-f", "json")
    doc = report(done)
    assert done.returncode == 1, done.stderr
    assert found(doc) == {
        # a mounted version that is DISABLED
        ("secret.disabled", "web", "secret.secret-key-staging", None),
        # a secret that does not exist
        ("secret.missing", "web", "secret.feature-flags-token-staging", None),
        # secrets the manifest's service account (web@) holds no accessor role on
        ("secret.no_access", "web", "secret.jwt-secret-staging", None),
        ("secret.no_access", "web", "secret.secret-key-staging", None),
        ("env.unexpected", "web", "env.FEATURE_TOKEN", None),
        ("env.unexpected", "web", "env.SESSION_SIGNING_KEY", None),
    }
    no_access = next(f for f in doc["findings"] if f["target"] == "secret.jwt-secret-staging")
    assert no_access["message"].startswith("web@acme-chat-staging.iam.gserviceaccount.com")
    assert cloud_run_calls(sandbox) == []


def test_several_manifests_and_standard_input(sandbox: Sandbox) -> None:
    plan = json.dumps(json.loads(PLAN.read_text()), separators=(",", ":"))  # one line
    done = check(
        sandbox,
        "staging",
        "--profiles",
        STAGING,
        "--manifest",
        rel(WEB),
        "--manifest",
        "-",
        "--manifest",
        rel(JOB),
        "-f",
        "json",
        stdin=plan,
    )
    doc = report(done)
    assert done.returncode == 1, done.stderr
    assert doc["summary"]["services"] == 3
    revisions = {(f["service"], f["revision"]) for f in doc["findings"]}
    # `-` as given (SPEC: `manifest:FILE`, `-` for stdin), not `<stdin>` (revspec2 6)
    assert revisions == {("auth", "manifest:-"), ("web", f"manifest:{rel(WEB)}")}
    table = check(
        sandbox, "staging", "--profiles", STAGING, "-m", "-", "-m", rel(JOB), stdin=plan
    ).stdout
    assert "service web is destroyed by this plan: google_cloud_run_v2_service.web" in table
    assert f"note: job db-migrate ({rel(JOB)}:11) not checked: not in the profile" in table


def test_ignores_and_fail_on_are_the_checks_own(sandbox: Sandbox, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for name in ("base", "staging"):
        (profiles / f"{name}.yaml").write_text((REPO / "profiles" / f"{name}.yaml").read_text())
    (profiles / "gate.yaml").write_text(
        "extends: staging\nignore:\n"
        "  - {service: auth, env: OAUTH_CLIENT_SECRET, rule: env.plaintext_secret, "
        "reason: rotated in OPS-77}\n"
    )
    done = check(
        sandbox, "gate", "--profiles", str(profiles), "-m", rel(PLAN), "-f", "json",
        "-s", "api", "-s", "auth",  # not web, which the plan destroys (service.missing)
    )  # fmt: skip
    doc = report(done)
    assert done.returncode == 3, done.stdout  # the ignored drift counts for nothing
    (ignored,) = doc["findings"]
    assert ignored["ignored"] and ignored["ignore_reason"] == "rotated in OPS-77"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("-m", rel(PLAN), "--probe"), None, "--probe does not apply with --manifest"),
        (("--offline",), None, "--offline applies only with --manifest"),
        (
            ("-m", rel(CHAT)),  # alone: no manifest of the run holds a service of the profile
            None,
            f"{rel(CHAT)} names no service of profile staging: it has chat; the profile has "
            "api, auth, web",
        ),
        (
            ("-m", rel(PLAN), "-m", "-"),
            PLAN.read_text(),
            f"service api is in {rel(PLAN)}: google_cloud_run_v2_service.api and in <stdin>: "
            "google_cloud_run_v2_service.api",
        ),
        (("-m", "-", "-m", "-"), "{}", "standard input can be read once"),
        (("-m", rel(JOB)), None, "nothing to check: none of api, auth, web is in the manifests"),
        (("-m", rel(WEB), "-s", "api"), None, "nothing to check: none of api is in the manifests"),
        (
            ("-m", rel(PLAN), "--region", "europe-west1"),
            None,
            "service api is for region us-central1, profile staging checks europe-west1",
        ),
        (
            ("-m", "-"),
            PLAN.read_text().replace('"acme-chat-staging"', '"acme-chat-prod"'),
            "<stdin>: google_cloud_run_v2_service.api: service api is for project "
            "acme-chat-prod, profile staging checks acme-chat-staging",
        ),
        (("-m", "tests/data/manifest"), None, "tests/data/manifest:1: cannot read: is a directory"),
        (("-m", "no-such.yaml"), None, "no-such.yaml:1: cannot read: No such file or directory"),
        (
            ("-m", "-"),
            '{"resource_changes": [{"type": "google_cloud_run_v2_service", "change": '
            '{"actions": ["update"], "after": {"name": "api", "template": ["oops"]}}}]}',
            "<stdin>: resource_changes[0].change.after.template[0]: expected an object, found a "
            "string",
        ),
        (
            ("-m", "-"),
            "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: api\nspec:\n"
            "  template:\n    spec:\n      containers:\n      - image: 7\n",
            "<stdin>:9: spec.template.spec.containers.0.image: expected a string, not 7",
        ),
    ],
)
def test_bad_input_is_one_clear_message_and_exit_2(
    sandbox: Sandbox, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    sandbox.clear_calls()
    done = check(sandbox, "staging", "--profiles", STAGING, *args, stdin=stdin)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.stderr.startswith("drift: error: ") and message in done.stderr, done.stderr
    assert sandbox.calls == []  # nothing was checked


def test_a_manifest_of_a_service_not_in_the_profile_does_not_stop_the_others(
    sandbox: Sandbox,
) -> None:
    """chat is not in staging's profile: alone, its file is exit 2 (above); beside the plan of
    staging's services it is noted, not checked, and the plan is (revmanifest 6)."""
    done = check(sandbox, "staging", "--profiles", STAGING, "-m", rel(CHAT), "-m", rel(PLAN))
    assert done.returncode == 1, done.stdout + done.stderr  # the drift the plan holds
    assert f"note: service chat ({rel(CHAT)}:22) not checked: not in the profile" in done.stdout


def test_a_job_of_the_profile_is_checked_from_its_manifest(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A profile with `jobs:` checks a Knative Job export like a service: its task template
    (what its next execution runs), with the job's settings, no Cloud Run call."""
    profiles = profiles_of(
        tmp_path,
        "jobs",
        "project: acme-chat-staging\nregion: us-central1\njobs:\n  db-migrate:\n    env:\n"
        "      DATABASE_URL: {secret: database-url-staging}\n      MODE: batch\n"
        "    settings:\n      max_retries: 3\n      task_timeout: 900s\n"
        "      parallelism: 1\n      execution_environment: gen2\n",
    )
    done, doc = checked(sandbox, "jobs", profiles, rel(JOB))
    assert done.returncode == 1, done.stderr
    assert doc["summary"]["jobs"] == 1 and doc["summary"]["services"] == 0
    assert by_kind(doc) == {
        ("env.missing", "env.MODE", "job", f"manifest:{rel(JOB)}"),
        ("setting.value", "setting.max_retries", "job", f"manifest:{rel(JOB)}"),
    }
    assert cloud_run_calls(sandbox) == []


POOL_HEAD = (
    "project: acme-chat-staging\nregion: us-central1\nworker_pools:\n  consumer:\n"
    "    container: consumer\n    env:\n      QUEUE: events\n"
)
"""Profile pools' head: pool consumer, its container, its env's QUEUE (more may follow)."""
POOL_PROFILE = (
    POOL_HEAD
    + """\
      BATCH: "50"
    settings:
      instance_count: 3
"""
)


def pool_plan(*, splits: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A `google_cloud_run_v2_worker_pool` as `terraform show -json` writes it: the provider's
    attributes are the WorkerPool proto's fields in snake_case, nested blocks are lists
    (magic-modules `mmv1/products/cloudrunv2/WorkerPool.yaml`; the shape of
    terraform-google-modules/docs-examples `cloudrunv2_worker_pool_*`), with the attributes
    the provider computes (uid, etag, conditions, instance_split_statuses) unknown until
    apply, and `deletion_protection`, which only the provider knows."""
    after = {
        "name": "consumer",
        "location": "us-central1",
        "project": "acme-chat-staging",
        "launch_stage": "BETA",
        "deletion_protection": False,
        "scaling": [{"scaling_mode": "MANUAL", "manual_instance_count": 2}],
        "instance_splits": splits
        or [{"type": "INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST", "percent": 100, "revision": ""}],
        "template": [
            {
                "containers": [
                    {
                        "name": "consumer",
                        "image": "us-docker.pkg.dev/cloudrun/container/worker-pool:latest",
                        "env": [{"name": "QUEUE", "value": "events", "value_source": []}],
                    }
                ],
            }
        ],
    }
    unknown = {"uid": True, "etag": True, "conditions": True, "instance_split_statuses": True}
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": [
            {
                "address": "google_cloud_run_v2_worker_pool.consumer",
                "mode": "managed",
                "type": "google_cloud_run_v2_worker_pool",
                "name": "consumer",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": after,
                    "after_unknown": unknown,
                    "after_sensitive": {},
                },
            }
        ],
    }


def assert_pool_checked(
    sandbox: Sandbox, done: Any, doc: dict[str, Any], manifest: Path, *, kept: bool = False
) -> None:
    """POOL_PROFILE against a manifest of pool `consumer` with QUEUE only and 2 instances: its
    template's variables and its manual instance count are checked, with no Cloud Run call —
    but, where the manifest keeps instances on a named revision (`kept`), the GetRevision
    that reads it (`drift.manifest.kept`)."""
    assert done.returncode == 1, done.stderr
    assert doc["summary"]["worker_pools"] == 1 and doc["summary"]["services"] == 0
    assert by_kind(doc) == {
        ("env.missing", "env.BATCH", "worker_pool", f"manifest:{manifest}"),
        ("setting.value", "setting.instance_count", "worker_pool", f"manifest:{manifest}"),
    }
    (count,) = [f for f in doc["findings"] if f["target"] == "setting.instance_count"]
    assert (count["expected"], count["actual"]) == ("3", "2")
    assert cloud_run_calls(sandbox) == (
        ["google.cloud.run.v2.Revisions/GetRevision"] if kept else []
    )


def test_a_worker_pool_of_the_profile_is_checked_from_a_terraform_plan(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A profile with `worker_pools:` checks a plan's worker pool: its template's variables
    and its manual instance count, with no Cloud Run call."""
    profiles = profiles_of(tmp_path, "pools", POOL_PROFILE)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(pool_plan()))
    done, doc = checked(sandbox, "pools", profiles, str(plan))
    assert_pool_checked(sandbox, done, doc, plan)


def test_a_worker_pool_pinned_to_named_revisions_says_what_is_checked(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    profiles = profiles_of(tmp_path, "pools", POOL_PROFILE)
    plan = tmp_path / "plan.json"
    pinned = [{"type": "INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION", "revision": "consumer-v1",
               "percent": 100}]  # fmt: skip
    plan.write_text(json.dumps(pool_plan(splits=pinned)))
    done = check(sandbox, "pools", "--profiles", profiles, "-m", str(plan))
    assert done.returncode == 1, done.stderr
    said = " ".join((done.stdout + done.stderr).split())
    assert "instances stay on consumer-v1; what is checked is the revision the deploy" in said


POOL_YAML = """apiVersion: run.googleapis.com/v1
kind: WorkerPool
metadata:
  name: consumer
  namespace: acme-chat-staging
  labels:
    cloud.googleapis.com/location: us-central1
  annotations:
    run.googleapis.com/launch-stage: BETA
    run.googleapis.com/scalingMode: manual
    run.googleapis.com/manualInstanceCount: '{count}'
spec:
  template:
    spec:
      containers:
      - name: consumer
        image: us-docker.pkg.dev/cloudrun/container/worker-pool:latest
        env:
        - name: QUEUE
          value: events
  instanceSplits:
  - {split}
"""
"""A worker pool as `gcloud run worker-pools replace` takes it (REST v1
`namespaces.workerpools`: `spec.template`, `spec.instanceSplits[]`; the instance count as the
`run.googleapis.com/manualInstanceCount` annotation beside `scalingMode: manual`, as exported
pools carry it)."""


@pytest.mark.parametrize(
    ("split", "said"),
    [
        ("latestRevision: true\n    percent: 100", None),
        ("revisionName: consumer-v1\n    percent: 100", "instances stay on consumer-v1"),
    ],
    ids=["latest", "pinned"],
)
def test_a_worker_pool_of_the_profile_is_checked_from_its_knative_yaml(
    sandbox: Sandbox, tmp_path: Path, split: str, said: str | None
) -> None:
    profiles = profiles_of(tmp_path, "pools", POOL_PROFILE)
    manifest = tmp_path / "pool.yaml"
    manifest.write_text(POOL_YAML.format(count=2, split=split))
    done, doc = checked(sandbox, "pools", profiles, str(manifest))
    assert_pool_checked(sandbox, done, doc, manifest, kept=said is not None)
    # the sandbox has no pool `consumer`: the revision that keeps its instances is not read
    kept = [(u["target"], "NOT_FOUND" in u["reason"]) for u in doc["unverified"]]
    assert kept == ([("revision.consumer-v1", True)] if said else []), doc["unverified"]
    table = check(sandbox, "pools", "--profiles", profiles, "-m", str(manifest))
    told = " ".join((table.stdout + table.stderr).split())
    assert (said in told) if said else ("instances stay on" not in told)


def test_a_worker_pool_yaml_with_a_count_that_is_not_a_number_is_refused_at_its_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    profiles = profiles_of(tmp_path, "pools", POOL_PROFILE)
    manifest = tmp_path / "pool.yaml"
    manifest.write_text(POOL_YAML.format(count="three", split="latestRevision: true"))
    done = check(sandbox, "pools", "--profiles", profiles, "-m", str(manifest))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"{manifest}:11: run.googleapis.com/manualInstanceCount: 'three' is not a whole" in (
        " ".join(done.stderr.split())
    )


def test_a_plan_says_when_traffic_stays_on_named_revisions_and_only_then(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The provider's `traffic[].type` is the proto's `type_` (proto-plus's name): a plan that
    sends traffic to the latest revision is checked without a word; one that pins it says
    that the revision checked gets none. (The type was once dropped, and every plan read as
    pinned to "named revisions".)"""
    as_written = check(sandbox, "staging", "--profiles", STAGING, "-m", rel(PLAN), "--offline")
    assert as_written.returncode in (1, 3), as_written.stderr
    assert "note: " in as_written.stdout and "stays on" not in as_written.stdout
    data = json.loads(PLAN.read_text())
    (api,) = [c for c in data["resource_changes"] if c["address"].endswith(".api")]
    api["change"]["after"]["traffic"] = [
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "api-00007-xyz",
         "percent": 100, "tag": ""}
    ]  # fmt: skip
    pinned = tmp_path / "plan.json"
    pinned.write_text(json.dumps(data))
    done = check(sandbox, "staging", "--profiles", STAGING, "-m", str(pinned), "--offline")
    said = " ".join(done.stdout.split())
    assert "google_cloud_run_v2_service.api: traffic stays on api-00007-xyz;" in said, said
    assert "google_cloud_run_v2_service.auth: traffic" not in said


SALT = "n3w-salt-plain-value-9d"
"""Plain in the manifest; the profile says it must be the secret signing-salt."""
SALTED = (
    MINIMAL
    + f"""\
        env:
        - name: SIGNING_SALT
          value: {SALT}
        - name: LEGACY_SALT_COPY
          value: {SALT}
        - name: STRIPE_API_KEY
          value: sk_live_0123456789abcdefPLAINCRED
        - name: STRIPE_KEY_COPY
          value: sk_live_0123456789abcdefPLAINCRED
"""
)


@pytest.mark.parametrize("format", ["table", "json", "sarif", "github", "markdown"])
def test_a_manifest_value_the_profile_says_is_secret_is_never_shown(
    tmp_path: Path, format: str
) -> None:
    """The live reader remembers such values as it reads them; a manifest is read too, so a
    copy of one in another variable (an env.unexpected finding) is masked as well."""
    manifest = tmp_path / "api.yaml"
    manifest.write_text(SALTED)
    profiles = profiles_of(
        tmp_path,
        "staging",
        "project: p1\nregion: us-central1\nservices:\n  api:\n    unexpected_env: warn\n"
        "    env:\n      SIGNING_SALT: {secret: signing-salt}\n",
    )
    done = drift(
        "check", "staging", "--profiles", profiles, "-m", str(manifest), "--offline",
        "--format", format,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # drift (outranks not verified)
    assert "LEGACY_SALT_COPY" in done.stdout and "STRIPE_KEY_COPY" in done.stdout
    assert SALT not in done.stdout + done.stderr
    assert "PLAINCRED" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (
            lambda d: (d / "plan.json").symlink_to(d / "gone.json"),
            "a broken link (to '{d}/gone.json')",
        ),
        (lambda d: (d / "plan.json").symlink_to("plan.json"), "a symbolic link loop"),
    ],
    ids=["broken link", "link loop"],
)
def test_a_manifest_that_is_a_broken_link_is_named_as_given_with_its_target(
    sandbox: Sandbox, tmp_path: Path, make: Any, said: str
) -> None:
    """`--manifest plan.json` where plan.json is a link whose target is gone (a plan file
    cleaned up by the pipeline's previous step): the message names plan.json as the user gave
    it and what it is, never a bare "No such file or directory" for a file the user sees."""
    make(tmp_path)
    sandbox.clear_calls()
    done = check(sandbox, "staging", "--profiles", STAGING, "-m", str(tmp_path / "plan.json"))
    assert done.returncode == 2, done.stdout + done.stderr
    line = f"drift: error: {tmp_path}/plan.json:1: cannot read: is {said.format(d=tmp_path)}"
    assert done.stderr.startswith(line + ", not a manifest"), done.stderr
    assert "No such file" not in done.stderr and sandbox.calls == []
