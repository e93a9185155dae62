"""Real service shapes: scenarios in the v2 API's JSON form built with the official types,
sidecars and volumes validated as the API does, and scenario errors for the new keys."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.errors import InputError
from drift.sandbox import Sandbox, load_scenario
from tests.conftest import Clients
from tests.sandbox.conftest import REAL_SHAPES
from tests.sandbox.helpers import probe

PROD = "projects/acme-prod/locations/us-central1/services"
LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST


def test_the_full_shape_reads_as_written(real_clients: Clients) -> None:
    chat = real_clients.services.get_service(name=f"{PROD}/chat")
    assert chat.scaling.min_instance_count == 2 and chat.invoker_iam_disabled
    assert chat.binary_authorization.use_default
    template = chat.template
    app, otel = template.containers
    assert (app.name, otel.name) == ("app", "otel-collector")
    assert [p.container_port for p in app.ports] == [8080] and not otel.ports
    assert app.depends_on == ["otel-collector"] and app.command == ["/app/server"]
    assert app.startup_probe.http_get.path == "/healthz" and otel.startup_probe.tcp_socket.port
    assert app.resources.limits["memory"] == "2Gi" and app.resources.cpu_idle is False
    assert [m.mount_path for m in app.volume_mounts] == [
        "/etc/tls",
        "/etc/oauth",
        "/cloudsql",
        "/tmp/scratch",
    ]
    tls, oauth, sql, scratch = template.volumes
    assert tls.secret.items[0].version == "2" and not oauth.secret.items
    assert sql.cloud_sql_instance.instances == ["acme-prod:us-central1:chat-db"]
    assert scratch.empty_dir.medium == run_v2.EmptyDirVolumeSource.Medium.MEMORY
    assert template.vpc_access.network_interfaces[0].network == "prod-vpc"
    assert template.max_instance_request_concurrency == 200
    assert template.scaling.max_instance_count == 30
    assert template.execution_environment == run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2
    e2e = next(s for s in chat.traffic_statuses if s.tag == "e2e")
    # its own URL answers, for the revision's instances: none can start, as chat's
    # PARTNER_API_KEY (acme-shared's partner-api-key, latest DISABLED) cannot be retrieved
    # ("if secret retrieval fails, the instance does not start": run/docs/configuring/
    # services/secrets), so an HTTP 503 and no handshake (revsbx67 F1)
    assert e2e.percent == 0 and probe(e2e.uri).status == 503
    tagged = real_clients.revisions.get_revision(name=f"{PROD}/chat/revisions/{e2e.revision}")
    assert {v.name: v.value for v in tagged.containers[0].env}["TESTING"] == "1"


def test_the_other_shapes(real_clients: Clients) -> None:
    billing = real_clients.services.get_service(name=f"{PROD}/billing")
    assert billing.template.revision == "billing-v42"
    assert billing.latest_ready_revision.endswith("/billing-v42")
    web = real_clients.services.get_service(name=f"{PROD}/web")
    assert web.template.containers[0].image.endswith("web:v3.0.0-rc1")
    assert [(t.revision, t.percent) for t in web.traffic_statuses] == [
        (web.traffic[0].revision, 100)
    ]
    assert web.latest_ready_revision == web.latest_created_revision != web.traffic[0].revision
    worker = real_clients.services.get_service(name=f"{PROD}/worker-api")
    assert [t.type_ for t in worker.traffic] == [LATEST]
    assert worker.terminal_condition.state == run_v2.Condition.State.CONDITION_FAILED
    assert worker.traffic_statuses[0].revision == worker.latest_ready_revision.rsplit("/")[-1]


def test_sidecar_rules(real_clients: Clients) -> None:
    def refused(change: object, match: str) -> None:
        chat = real_clients.services.get_service(name=f"{PROD}/chat")
        change(chat)  # type: ignore[operator]
        with pytest.raises(exceptions.InvalidArgument, match=match):
            real_clients.services.update_service(service=chat)

    def two_ports(s: run_v2.Service) -> None:
        s.template.containers[1].ports = [run_v2.ContainerPort(container_port=9000)]

    def unknown_dependency(s: run_v2.Service) -> None:
        s.template.containers[0].depends_on = ["nope"]

    def unknown_volume(s: run_v2.Service) -> None:
        s.template.containers[1].volume_mounts = [run_v2.VolumeMount(name="x", mount_path="/x")]

    def same_names(s: run_v2.Service) -> None:
        s.template.containers[1].name = "app"

    refused(two_ports, "exactly one container must have a port")
    refused(unknown_dependency, "depends_on")
    refused(unknown_volume, "volume_mounts")
    refused(same_names, "distinct names")


def test_the_shipped_scenarios_load() -> None:
    scenario = load_scenario(REAL_SHAPES)
    assert set(scenario.projects) == {"acme-shared", "acme-prod"}


BASE = """\
folders:
  "1": {parent: organizations/1}
organizations:
  "1": {}
projects:
  p:
    number: 1
    parent: folders/1
    secrets:
      s:
        versions: [{value: x, state: DISABLED, scheduled_destroy_in: 3d}]
    services:
      svc:
        template:
          containers: [{image: x/y:1}]
        history:
          - name: svc-old
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("containers: [{image: x/y:1}]", "containrs: [{image: x/y:1}]", "unknown key 'containrs'"),
        ("containers: [{image: x/y:1}]", "containers: [{imag: x}]", "not a valid RevisionTemplate"),
        ("name: svc-old", "name: svc-" + "o" * 60, "at most 63 characters"),
        ("name: svc-old", "name: web-old", "starts with 'svc-'"),
        ("parent: folders/1\n", "parent: folders/9\n", "no folders/9 in this scenario"),
        ("state: DISABLED, ", "", "scheduled for destruction is DISABLED"),
        ('organizations:\n  "1": {}', 'organizations:\n  "1": {deny: [ListFolders]}', "deny"),
    ],
)
def test_scenario_errors_for_the_new_keys(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = tmp_path / "scenario.yaml"
    assert old in BASE
    path.write_text(textwrap.dedent(BASE.replace(old, new)))
    with pytest.raises(InputError) as raised:
        load_scenario(path)
    assert any(expected in str(problem) for problem in raised.value.problems), raised.value


def test_the_base_of_those_errors_loads(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(BASE)
    with Sandbox(load_scenario(path)) as sandbox:
        assert sandbox.revision("p", "svc", "svc-old").containers[0].image == "x/y:1"


def test_the_docs_name_every_option_and_scenario_key() -> None:
    from drift.sandbox.scenario_models import (
        DeployingSpec,
        Options,
        ProjectSpec,
        RevisionSpec,
        SecretSpec,
        ServiceSpec,
    )

    text = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text()
    from drift.sandbox.scenario_fields import JobTemplateSpec
    from drift.sandbox.scenario_jobs import ExecutionSpec, JobSpec, PoolSpec

    models = (Options, ProjectSpec, ServiceSpec, RevisionSpec, SecretSpec, DeployingSpec)
    for model in (*models, PoolSpec, JobSpec, ExecutionSpec, JobTemplateSpec):
        for name in model.model_fields:
            if name != "api":
                assert f"{name}" in text, (
                    f"docs/sandbox.md does not mention {model.__name__}.{name}"
                )
