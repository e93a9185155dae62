"""Knative documents as gcloud writes and reads them, read into the run_v2 message and the
normalised configuration the checks compare: scaling, CPU allocation, VPC, execution
environment, secrets in env and volumes, sidecars, secrets of another project through the
`run.googleapis.com/secrets` aliases; jobs; and every malformed shape as `file:line`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from drift.live.normalize import revision_config
from drift.manifest.model import Workload
from drift.refs import SecretRef
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world
from tests.manifest.conftest import (
    ANNOTATED,
    APP_AND_PROXY,
    CHAT,
    JOB,
    MINIMAL,
    check_offline,
    findings_of,
    problems_of,
    read,
)


def annotated(key: str, value: str) -> str:
    """MINIMAL with one template annotation (line 9)."""
    return MINIMAL.replace(
        "    spec:\n", f"    metadata:\n      annotations:\n        {key}: {value}\n    spec:\n"
    )


SECRET_ENV = (
    "        env:\n"
    "        - name: DB\n"
    "          valueFrom:\n"
    "            secretKeyRef:\n"
    "              name: db\n"
)
"""A variable from secret `db`, its `key` (the version) left to the test (line 15)."""


def chat() -> Workload:
    (workload,) = read(CHAT.read_bytes(), "chat.service.yaml").workloads
    return workload


def test_an_export_with_a_sidecar_a_secret_volume_and_a_foreign_secret() -> None:
    workload = chat()
    assert (workload.kind, workload.name, workload.revision) == (
        "service",
        "chat",
        "manifest:chat.service.yaml",
    )
    assert workload.where == "chat.service.yaml:22"
    assert (workload.project, workload.region) == ("500000000001", "us-central1")
    config = revision_config(workload.resource.template, service=workload.resource, container=None)
    assert [c.name for c in config.containers] == ["app", "otel-collector"]
    assert config.primary == "app"  # the container with a port
    app, sidecar = config.containers
    # the alias of run.googleapis.com/secrets is the secret of the other project, by number
    assert app.env["PARTNER_API_KEY"].ref == SecretRef("partner-api-key", "1", "600000000002")
    assert app.env["DATABASE_URL"].ref == SecretRef("chat-db-url", "latest")
    assert app.env["LOG_LEVEL"].value == "DEBUG"
    assert sidecar.env["OTEL_TOKEN"].ref == SecretRef("otel-token", "latest")
    # a secret volume: one file per item, at its version; without items, latest in a file
    # named after the secret (run v2 SecretVolumeSource.items)
    assert app.mounts["/etc/tls/cert.pem"].ref == SecretRef("tls-cert", "3")
    assert app.mounts["/etc/oauth/oauth-config"].ref == SecretRef("oauth-config", "latest")
    assert set(app.mounts) == {"/etc/tls/cert.pem", "/etc/oauth/oauth-config"}  # no emptyDir
    # every annotation gcloud writes for a setting is read as that setting
    assert config.settings == {
        "timeout": "3600s",
        "min_instances": 2,  # run.googleapis.com/minScale: service level
        "max_instances": 30,  # autoscaling.knative.dev/maxScale
        "manual_instances": "auto",  # no run.googleapis.com/scaling-mode
        "concurrency": 200,
        "cpu": "2000m",
        "memory": str(2 * 2**30),
        "cpu_throttling": False,
        "startup_cpu_boost": True,
        "session_affinity": True,
        "service_account": "chat@acme-prod.iam.gserviceaccount.com",
        "ingress": "all",
        "execution_environment": "gen2",
        "vpc_connector": "",
        "vpc_egress": "private-ranges-only",  # Direct VPC (network-interfaces)
        "invoker_iam_disabled": True,
        "default_uri_disabled": False,
        "binary_authorization": "default",
        "image": "us-central1-docker.pkg.dev/acme-prod/apps/chat:4.3.0",
        "depends_on": "otel-collector",  # run.googleapis.com/container-dependencies
        "encryption_key": "",
        "encryption_key_revocation_action": "prevent-new",
        "encryption_key_shutdown_hours": 0,
        "gpu_type": "",
        "gpu_zonal_redundancy_disabled": False,
        "vpc_network": "prod-vpc",  # run.googleapis.com/network-interfaces
        "vpc_subnet": "prod-run-subnet",
        "vpc_network_tags": "chat",
        "iap_enabled": False,  # run.googleapis.com/iap-enabled
        "custom_audiences": "",  # run.googleapis.com/custom-audiences
        "cloudsql_instances": "acme-prod:us-central1:chat-db",  # cloudsql-instances
        "storage_buckets": "",  # no volumes[].csi
        "nfs_shares": "",  # no volumes[].nfs
        "http2": False,  # ports[0].name http1
        "port": 8080,  # ports[0].containerPort
        "command": "/app/server",  # containers[0].command
        "args": "--port=8080,--log-format=json",  # containers[0].args, in order
        "working_dir": "",  # no containers[0].workingDir
        "service_mesh": "",  # no run.googleapis.com/mesh
        # containers[0].startupProbe, livenessProbe: every timing as read, a default one too
        "startup_probe": "http /healthz port 8080 delay 0s timeout 3s period 5s failure 12",
        "liveness_probe": "http /livez port 8080 delay 0s timeout 1s period 30s failure 3",
        "readiness_probe": "",  # no readinessProbe: none
    }
    template = workload.resource.template
    assert list(template.containers[0].depends_on) == ["otel-collector"]
    assert [v.name for v in template.volumes] == ["tls-certs", "oauth", "scratch", "cloudsql"]
    assert list(template.vpc_access.network_interfaces[0].tags) == ["chat"]


def test_a_job_is_read_into_the_model() -> None:
    (workload,) = read(JOB.read_bytes(), "export.job.yaml").workloads
    assert (workload.kind, workload.name, workload.region) == ("job", "db-migrate", "us-central1")
    task = workload.resource.template.template
    assert task.timeout == timedelta(seconds=900)  # timeoutSeconds: '900', a string
    assert "max_retries" in task and task.max_retries == 0  # 0 retries, not the default 3
    assert task.service_account == "api@acme-chat-staging.iam.gserviceaccount.com"
    secret = task.containers[0].env[0].value_source.secret_key_ref
    assert (secret.secret, secret.version) == ("database-url-staging", "latest")
    assert task.vpc_access.connector.endswith("/connectors/staging-vpc")


def test_json_as_gcloud_describe_format_json_writes_it() -> None:
    import json

    from ruamel.yaml import YAML

    document = YAML(typ="safe", pure=True).load(MINIMAL)
    (workload,) = read(json.dumps(document, indent=2), "api.json").workloads
    assert workload.name == "api" and workload.resource.template.containers[0].image


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "kind: Service\nmetadata: {name: api\n",
            "m.yaml:2: invalid YAML",
            id="syntax",
        ),
        pytest.param(
            MINIMAL.replace("kind: Service", "kind: Deployment"),
            "m.yaml:2: kind 'Deployment': a manifest is a Knative Service",
            id="kind",
        ),
        pytest.param(
            MINIMAL.replace("serving.knative.dev/v1", "apps/v1"),
            "m.yaml:1: apiVersion 'apps/v1' is not a Cloud Run Service (serving.knative.dev/v1): "
            "a manifest is a Knative Service",
            id="api-version",
        ),
        pytest.param(
            MINIMAL.replace("apiVersion: serving.knative.dev/v1\n", ""),
            "m.yaml:1: kind 'Service' without apiVersion is not a Cloud Run Service",
            id="no-api-version",
        ),
        pytest.param(
            MINIMAL.replace("kind: Service", "kind: Job"),
            "m.yaml:1: apiVersion 'serving.knative.dev/v1' is not a Cloud Run Job "
            "(run.googleapis.com/v1)",
            id="job-of-the-serving-api",
        ),
        pytest.param(
            MINIMAL.replace("  name: api\n", "  labels: {app: api}\n"),
            "m.yaml:3: metadata.name: required key is missing",
            id="no-name",
        ),
        pytest.param(
            MINIMAL.replace("      - image: gcr.io/acme/api:1\n", "        []\n"),
            "m.yaml:8: spec.template.spec.containers: List should have at least 1 item",
            id="no-container",
        ),
        pytest.param(
            MINIMAL + "        env:\n        - name: REDIS_PORT\n          value: 6379\n",
            # a variable's value is said by its kind, never shown: it may be a numeric password
            "m.yaml:12: spec.template.spec.containers.0.env.0.value: expected a string, not a "
            "number (quote it",
            id="number-for-text",
        ),
        pytest.param(
            MINIMAL + "        env:\n        - value: x\n",
            "m.yaml:11: spec.template.spec.containers.0.env.0.name: required key is missing",
            id="variable-without-name",
        ),
        pytest.param(
            MINIMAL
            + "      volumes:\n      - name: cfg\n        secret:\n          secretName: cfg\n"
            "          items:\n          - path: config.json\n",
            # SecretVolumeSource.items: "they must specify a path and a version"
            "m.yaml:15: spec.template.spec.volumes.0.secret.items.0.key: the secret version is "
            "required",
            id="volume-item-without-version",
        ),
        pytest.param(
            MINIMAL + SECRET_ENV + "              key: ~\n",
            # v1 SecretKeySelector.key: "Required. A Cloud Secret Manager secret version"
            "m.yaml:15: spec.template.spec.containers.0.env.0.valueFrom.secretKeyRef.key: the "
            "secret version is required: 'latest', a version number or an alias",
            id="null-secret-version",
        ),
        pytest.param(
            MINIMAL + SECRET_ENV,
            "m.yaml:13: spec.template.spec.containers.0.env.0.valueFrom.secretKeyRef.key: the "
            "secret version is required",
            id="no-secret-version",
        ),
        pytest.param(
            MINIMAL.replace("    spec:\n", "    spec:\n      containerConcurrency: lots\n"),
            "m.yaml:8: spec.template.spec.containerConcurrency: Input should be a valid integer",
            id="concurrency",
        ),
        pytest.param(
            annotated("run.googleapis.com/vpc-access-egress", "private-ranges"),
            "m.yaml:9: run.googleapis.com/vpc-access-egress: 'private-ranges' is not one of",
            id="egress-word",
        ),
        pytest.param(
            annotated("autoscaling.knative.dev/maxScale", "'ten'"),
            "m.yaml:9: autoscaling.knative.dev/maxScale: 'ten' is not a whole number",
            id="scale",
        ),
        pytest.param(  # helper-766: an internal error (int() of more than 4300 digits)
            annotated("autoscaling.knative.dev/maxScale", "'" + "9" * 5000 + "'"),
            f"m.yaml:9: autoscaling.knative.dev/maxScale: {'9' * 30!r}… (5000 characters): "
            "expected a whole number at most 2147483647",
            id="scale-digits",
        ),
        pytest.param(
            annotated("autoscaling.knative.dev/maxScale", "'0002147483648'"),
            "m.yaml:9: autoscaling.knative.dev/maxScale: '0002147483648': expected a whole "
            "number at most 2147483647",
            id="scale-int32",
        ),
        pytest.param(
            annotated("run.googleapis.com/network-interfaces", "'[{network: x}'"),
            "m.yaml:9: run.googleapis.com/network-interfaces: not valid JSON",
            id="json-annotation",
        ),
        pytest.param(
            annotated(
                "run.googleapis.com/network-interfaces", "'" + "[" * 50_000 + "]" * 50_000 + "'"
            ),
            "m.yaml:9: run.googleapis.com/network-interfaces: not valid JSON (nested too deeply)",
            id="json-annotation-too-deep",
        ),
        pytest.param(
            annotated("run.googleapis.com/secrets", "'shared:shared-key'"),
            "m.yaml:9: run.googleapis.com/secrets: 'shared:shared-key' is not "
            "ALIAS:projects/PROJECT/secrets/NAME",
            id="secret-alias",
        ),
        pytest.param(
            MINIMAL.replace(
                "containers:\n", "containers:\n      - {image: x, ports: [{containerPort: http}]}\n"
            ),
            "m.yaml:9: spec.template.spec.containers.0.ports.0.containerPort: Input should be a "
            "valid integer",
            id="port",
        ),
        pytest.param(
            MINIMAL.replace("    spec:\n", "    spec:\n      timeoutSeconds: 99999999999999999\n"),
            "m.yaml:8: spec.template.spec.timeoutSeconds: expected at most 2147483647, not "
            "99999999999999999",
            id="huge-timeout",
        ),
        pytest.param(  # helper-766: "not 1000000000000000000000000000000000000000" (its start)
            MINIMAL.replace("    spec:\n", f"    spec:\n      timeoutSeconds: {10**4000}\n"),
            "m.yaml:8: spec.template.spec.timeoutSeconds: expected at most 2147483647, not a "
            "huge number",
            id="huge-timeout-digits",
        ),
        pytest.param(
            MINIMAL.replace("    spec:\n", "    spec:\n      containerConcurrency: -1\n"),
            "m.yaml:8: spec.template.spec.containerConcurrency: expected at least 0, not -1",
            id="negative-concurrency",
        ),
        pytest.param(
            MINIMAL + "        startupProbe: {httpGet: {port: http}}\n",
            "m.yaml:10: spec.template.spec.containers.0.startupProbe.httpGet.port: Input should "
            "be a valid integer",
            id="named-probe-port",
        ),
        pytest.param("", "m.yaml:1: empty: expected a Knative Service or Job", id="empty"),
        pytest.param("- a\n- b\n", "m.yaml:1: expected a Knative Service or Job", id="list"),
        pytest.param(b"\xff\xfe\x00k", "m.yaml:1: not UTF-8 text", id="binary"),
        pytest.param(MINIMAL.encode() + b"  # caf\xe9\n", "m.yaml:10: not UTF-8 text", id="latin1"),
        pytest.param(b'{\n  "kind":\n  "caf\xe9"}', "m.yaml:3: not UTF-8 text", id="json-latin1"),
        pytest.param(
            MINIMAL + "---\n" + MINIMAL,
            "m.yaml:11: a second YAML document (2 in all): a manifest is one YAML document, as "
            "gcloud run services|jobs|worker-pools replace reads one: give each document its own "
            "file and its own --manifest",
            id="two-documents",
        ),
        pytest.param(
            "---\n" + MINIMAL + "---\n# the next one\n" + MINIMAL + "---\n",
            "m.yaml:13: a second YAML document (2 in all)",
            id="two-documents-and-empty-ones",
        ),
        pytest.param(
            "---\n# nothing\n---\n",
            "m.yaml:1: empty (only document separators): expected a Knative Service or Job",
            id="only-separators",
        ),
    ],
)
def test_a_malformed_document_is_one_clear_line_per_problem(
    text: str | bytes, expected: str
) -> None:
    found = problems_of(text)
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize(
    "api", ["v1", "serving.knative.dev/v1alpha1", "run.googleapis.com/v1"], ids=str
)
def test_another_apis_service_is_one_line_saying_what_a_manifest_is(api: str) -> None:
    """A Kubernetes Service (`apiVersion: v1`, the kind name Knative shares) was two shape
    errors in pydantic's words (`apiVersion: Input should be …`, `spec.template: required
    key is missing`): one line now says what it is and what drift takes (revmanifest 4)."""
    k8s = f"apiVersion: {api}\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports:\n"
    found = problems_of(k8s + "  - port: 80\n")
    assert found == [
        f"m.yaml:1: apiVersion '{api}' is not a Cloud Run Service (serving.knative.dev/v1): a "
        "manifest is a Knative Service (serving.knative.dev/v1), a Job or a WorkerPool "
        "(run.googleapis.com/v1), as gcloud run services|jobs|worker-pools describe --format "
        "export writes them, or a Terraform plan (terraform show -json PLAN)"
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [("", "---\n"), ("", "---\n# rendered by helm\n"), ("---\n---\n", "...\n"), ("", "--- ~\n")],
    ids=["trailing", "trailing-comment", "leading-empty", "trailing-null"],
)
def test_empty_documents_around_the_one_are_dropped_as_gcloud_drops_them(
    before: str, after: str
) -> None:
    """A rendering tool ends a file with `---`: gcloud's replace drops empty documents and
    reads the one left (googlecloudsdk/calliope/arg_parsers.py YAMLFileContents.
    _LoadSingleYamlDocument), so drift reads it too, every line where it is in the file."""
    text = before + MINIMAL.replace("gcr.io/acme/api:1", "7") + after
    shift = before.count("\n")
    assert problems_of(text) == [
        f"m.yaml:{9 + shift}: spec.template.spec.containers.0.image: expected a string, not 7 "
        "(quote it: the API takes text)"
    ]
    (workload,) = read(before + MINIMAL + after).workloads
    assert workload.where == f"m.yaml:{4 + shift}"


def test_every_problem_of_a_document_at_once_in_line_order() -> None:
    text = MINIMAL.replace("    spec:\n", "    spec:\n      timeoutSeconds: soon\n") + (
        "        env:\n        - name: A\n          value: 1\n"
    )
    found = problems_of(text)
    assert [p.split(":")[1] for p in found] == ["8", "13"]


NULL_VALUES = MINIMAL + (
    "        env:\n        - name: DEBUG\n          value:\n        - name: REDIS_HOST\n"
    "          value: ~\n"
)


def test_a_null_value_is_an_empty_variable_not_the_text_none(tmp_path: Path) -> None:
    """A template renders `value: ${REDIS_HOST}` as `value:` when the variable is unset: YAML
    null, which Cloud Run runs as "" (run v2 EnvVar.value: "Defaults to \"\""), never the
    four characters `None`: DEBUG="" is no drift, and an empty REDIS_HOST fails min_length."""
    (workload,) = read(NULL_VALUES).workloads
    env = workload.resource.template.containers[0].env
    assert [(v.name, v.value) for v in env] == [("DEBUG", ""), ("REDIS_HOST", "")]
    profile = (
        "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    env:\n"
        '      DEBUG: ""\n      REDIS_HOST: {required: true, min_length: 4}\n'
    )
    done = check_offline(tmp_path, profile, ("m.yaml", NULL_VALUES))
    assert findings_of(done) == {("env.constraint", "env.REDIS_HOST")}, done.stdout
    assert "None" not in done.stdout


def test_a_secret_reference_without_a_version_is_refused_not_read_as_none(
    tmp_path: Path,
) -> None:
    """`key: ~` was compared as version "None" ("references secret db:None"), a missing key as
    `latest`: both are files gcloud cannot deploy (v1 SecretKeySelector.key is Required),
    refused at their line, exit 2, nothing checked."""
    profile = "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    env:\n"
    profile += "      DB: {secret: db}\n"
    for tail, line in (("              key: ~\n", 15), ("", 13)):
        done = check_offline(tmp_path, profile, ("m.yaml", MINIMAL + SECRET_ENV + tail))
        assert done.returncode == 2, done.stdout
        assert "None" not in done.stdout + done.stderr
        assert f"m.yaml:{line}: " in done.stderr and "secret version is required" in done.stderr


SIDECAR_SIZED = (
    ANNOTATED
    + """\
        run.googleapis.com/cpu-throttling: 'false'
        run.googleapis.com/startup-cpu-boost: 'true'
"""
    + APP_AND_PROXY
    + """\
        resources:
          limits:
            cpu: 500m
            memory: 256Mi
"""
)


def test_cpu_allocation_annotations_apply_to_every_container(tmp_path: Path) -> None:
    """`run.googleapis.com/cpu-throttling` and `startup-cpu-boost` are revision-template
    annotations (Cloud Run YAML reference, spec.template.metadata.annotations): one value for
    the whole revision. They reached only the containers with a `resources` block, so an
    ingress container written without one read as throttled and without boost."""
    (workload,) = read(SIDECAR_SIZED).workloads
    config = revision_config(workload.resource.template, service=workload.resource, container=None)
    for name in ("app", "proxy"):
        c = revision_config(workload.resource.template, service=workload.resource, container=name)
        assert (c.settings["cpu_throttling"], c.settings["startup_cpu_boost"]) == (False, True)
    assert config.settings["cpu"] == "1000m"  # the ingress container's default, unchanged
    profile = (
        "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    container: app\n"
        "    settings:\n      cpu_throttling: false\n      startup_cpu_boost: true\n"
    )
    done = check_offline(tmp_path, profile, ("m.yaml", SIDECAR_SIZED))
    assert (findings_of(done), done.returncode) == (set(), 0), done.stdout


OWN_CONNECTOR = f"projects/{LAB}/locations/us-central1/connectors/shared"


def _export(namespace: str) -> str:
    """Service app of `lab_world`, with its own connector named in full, as an export writes
    it (`namespace: PROJECT_NUMBER`, Cloud Run YAML reference) or by hand (NAMESPACE "")."""
    head = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: app\n"
    if namespace:
        head += f"  namespace: '{namespace}'\n"
    return head + (
        "  labels:\n    cloud.googleapis.com/location: us-central1\n"
        "spec:\n  template:\n    metadata:\n      annotations:\n"
        f"        run.googleapis.com/vpc-access-connector: {OWN_CONNECTOR}\n"
        "    spec:\n      containers:\n      - image: us-docker.pkg.dev/lab/app:v1\n"
        "        ports:\n        - containerPort: 8080\n"
    )


def test_the_own_connector_of_an_export_reads_as_it_does_live(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The live check reads the service's own connector, named in full, as its short name (the
    workload's project, catalogue `_vpc_connector`); the manifest check took the project from
    `metadata.namespace` (a number in an export, nothing in a file written by hand), so the
    same connector was `setting.value` drift. The manifest is checked against the profile's
    project (revmanifest 3); a namespace naming another project by id is still not checked."""
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080}
    sandbox = make_sandbox(lab_world(template={**template, "vpc_connector": OWN_CONNECTOR}))
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
        "      vpc_connector: shared\n"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    live = drift("check", "lab", "-f", "json", env=env, cwd=tmp_path)
    assert (findings_of(live), live.returncode) == (set(), 0), live.stdout + live.stderr
    for namespace in ("555000111222", LAB, ""):  # the number lab_world gives fix-lab
        (tmp_path / "app.yaml").write_text(_export(namespace))
        done = drift("check", "lab", "-m", "app.yaml", "-f", "json", env=env, cwd=tmp_path)
        assert (findings_of(done), done.returncode) == (set(), 0), (namespace, done.stdout)
    (tmp_path / "app.yaml").write_text(_export("acme-other"))
    done = drift("check", "lab", "-m", "app.yaml", "-f", "json", env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert "app.yaml:4: service app is for project acme-other, profile lab checks fix-lab" in (
        done.stderr
    )
