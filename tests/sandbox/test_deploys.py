"""Deploys as Cloud Run reconciles them (Service.reconciling): in progress, settled ready or
failed, seeded mid-deploy; gcloud's --no-traffic; LATEST; revision names; who wrote what."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2
from google.protobuf import field_mask_pb2

from drift.sandbox import Sandbox
from tests.conftest import Clients, ClientsFor, MakeSandbox
from tests.sandbox.helpers import PROJECT, probe, service_name

State = run_v2.Condition.State
LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
PROD = "projects/acme-prod/locations/us-central1/services"


SVC = "projects/p/locations/us-central1/services/svc"


def one_service(
    make_sandbox: MakeSandbox, service: dict[str, Any] | None = None, **options: Any
) -> Sandbox:
    """A sandbox whose project `p` (number 3) holds one service, `svc`."""
    project = {"number": 3, "services": {"svc": service or {}}}
    return make_sandbox({"options": options, "projects": {"p": project}})


def short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def served(service: run_v2.Service) -> list[tuple[str, int, str]]:
    return [(s.revision, s.percent, s.tag) for s in service.traffic_statuses]


def with_image(service: run_v2.Service, image: str) -> run_v2.Service:
    service.template.revision = ""
    service.template.containers[0].image = image
    return service


def test_a_deploy_reconciles_until_settled(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = one_service(make_sandbox, deploys_wait=True)
    client = clients_for(sandbox).services
    name = SVC
    before = client.get_service(name=name)
    operation = client.update_service(service=with_image(before, "us-docker.pkg.dev/example/img:2"))
    running = client.get_service(name=name)
    # Service.reconciling: transient values until reconciliation is over
    assert running.reconciling and not operation.done()
    assert running.terminal_condition.state == State.CONDITION_RECONCILING
    assert running.generation == before.generation + 1
    assert running.observed_generation == before.generation
    assert running.latest_created_revision != before.latest_created_revision
    assert running.latest_ready_revision == before.latest_ready_revision
    assert served(running) == served(before)
    assert running.template.containers[0].image == "us-docker.pkg.dev/example/img:2"
    new = sandbox.revision("p", "svc")
    assert new.reconciling and new.conditions[0].state == State.CONDITION_RECONCILING
    done = sandbox.finish_deploy("p", "svc")
    assert not done.reconciling and done.observed_generation == done.generation
    assert done.latest_ready_revision == done.latest_created_revision
    assert served(done) == [(short(done.latest_created_revision), 100, "")]
    assert operation.result(timeout=10).etag == done.etag


def test_a_failed_deploy_keeps_the_requested_spec_and_the_old_traffic(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = one_service(make_sandbox, deploys_wait=True)
    client = clients_for(sandbox).services
    name = SVC
    before = client.get_service(name=name)
    request = with_image(run_v2.Service(before), "us-docker.pkg.dev/example/img:broken")
    request.traffic = [run_v2.TrafficTarget(type_=LATEST, percent=100, tag="next")]
    operation = client.update_service(service=request)
    sandbox.finish_deploy("p", "svc", failure="Container failed to start and listen on port 8080.")
    with pytest.raises(exceptions.FailedPrecondition, match="failed to start"):
        operation.result(timeout=10)
    after = client.get_service(name=name)
    # "If reconciliation failed, traffic_statuses, observed_generation, and
    # latest_ready_revision will have the state of the last serving revision"
    assert after.template.containers[0].image == "us-docker.pkg.dev/example/img:broken"
    assert [(t.type_, t.tag) for t in after.traffic] == [(LATEST, "next")]
    assert served(after) == served(before)
    assert after.observed_generation == before.generation == after.generation - 1
    assert after.latest_ready_revision == before.latest_ready_revision
    assert after.latest_created_revision != before.latest_created_revision
    assert after.terminal_condition.state == State.CONDITION_FAILED and not after.reconciling
    failed = sandbox.revision("p", "svc")
    reason = run_v2.Condition.RevisionReason.HEALTH_CHECK_CONTAINER_ERROR
    assert failed.conditions[0].revision_reason == reason and not failed.reconciling


def test_a_secret_failure_keeps_the_spec_too(clients: Clients) -> None:
    before = clients.services.get_service(name=service_name("api"))
    request = run_v2.Service(before)
    ref = run_v2.EnvVarSource(secret_key_ref=run_v2.SecretKeySelector(secret="nope"))
    request.template.containers[0].env.append(run_v2.EnvVar(name="NOPE", value_source=ref))
    with pytest.raises(exceptions.FailedPrecondition):
        clients.services.update_service(service=request).result(timeout=10)
    after = clients.services.get_service(name=service_name("api"))
    assert "NOPE" in [v.name for v in after.template.containers[0].env]
    assert after.observed_generation == before.generation and served(after) == served(before)


def test_a_seeded_deploy_in_progress(real: Sandbox, real_clients: Clients) -> None:
    search = real_clients.services.get_service(name=f"{PROD}/search")
    assert search.reconciling and search.observed_generation == search.generation - 1
    assert search.latest_ready_revision != search.latest_created_revision
    assert search.template.containers[0].image.endswith("search:5.1.0")
    new = real_clients.revisions.get_revision(name=search.latest_created_revision)
    assert new.creator == "ci-deployer@acme-prod.iam.gserviceaccount.com"
    real.advance(3600)  # settles_in: null waits for the test, not the clock
    assert real.service("acme-prod", "search").reconciling
    failed = real.finish_deploy("acme-prod", "search", failure="boom")
    assert failed.terminal_condition.state == State.CONDITION_FAILED
    assert served(failed) == served(search)


def test_a_seeded_deploy_settles_after_its_time(make_sandbox: MakeSandbox) -> None:
    deploying = {"template": {"image": "x/y:2"}, "settles_in": "10m"}
    sandbox = one_service(make_sandbox, {"deploying": deploying})
    assert sandbox.service("p", "svc").reconciling
    sandbox.advance(601)
    settled = sandbox.service("p", "svc")
    assert not settled.reconciling and served(settled)[0][0] == short(
        settled.latest_created_revision
    )


def test_no_traffic_deploy_with_a_tag_then_services_update_keeps_the_pin(sandbox: Sandbox) -> None:
    before = sandbox.service(PROJECT, "web")
    serving = before.traffic_statuses[0].revision
    after = sandbox.deploy(
        PROJECT, "web", image="us-docker.pkg.dev/example/web:next", no_traffic=True, tag="e2e"
    )
    new = short(after.latest_created_revision)
    # gcloud run deploy --no-traffic: LATEST pinned to what it resolved to, the tag at 0%
    assert [(t.type_, t.revision, t.percent, t.tag) for t in after.traffic] == [
        (REVISION, serving, 100, ""),
        (REVISION, new, 0, "e2e"),
    ]
    assert served(after) == [(serving, 100, ""), (new, 0, "e2e")]
    tagged = next(s for s in after.traffic_statuses if s.tag == "e2e")
    assert tagged.uri and tagged.uri != after.uri
    assert probe(tagged.uri).status == 101
    assert after.template.revision == new and after.client == "gcloud"
    # gcloud run services update: the pinned traffic stays pinned
    updated = sandbox.deploy(PROJECT, "web", env={"LOG_LEVEL": "DEBUG"})
    assert [s[:2] for s in served(updated) if s[1]] == [(serving, 100)]


@pytest.mark.parametrize("names", [True, False])
def test_latest_status_names_the_revision_or_not(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, names: bool
) -> None:
    sandbox = one_service(make_sandbox, latest_status_names_revision=names)
    service = clients_for(sandbox).services.get_service(name=SVC)
    (status,) = service.traffic_statuses
    assert status.type_ == LATEST and status.percent == 100
    assert status.revision == (short(service.latest_ready_revision) if names else "")
    assert probe(service.uri).status == 101  # it is served either way


def test_revision_names(real_clients: Clients) -> None:
    billing = real_clients.services.get_service(name=f"{PROD}/billing")
    assert billing.template.revision == "billing-v42"  # Terraform's fixed name, as read
    # read-modify-write that keeps the name: another configuration under an existing name
    billing.template.containers[0].image = "us-docker.pkg.dev/example/billing:7.2.0"
    with pytest.raises(exceptions.AlreadyExists, match="different configuration"):
        real_clients.services.update_service(service=billing)
    for bad in ("billing-" + "x" * 56, "other-v1", "billing-V43"):
        billing.template.revision = bad
        with pytest.raises(exceptions.InvalidArgument, match="spec.template.revision"):
            real_clients.services.update_service(service=billing)
    billing.template.revision = "billing-v43"
    done = real_clients.services.update_service(service=billing).result(timeout=10)
    assert short(done.latest_created_revision) == "billing-v43"


@pytest.mark.parametrize("option", ["already_exists", "reuse"])
def test_an_old_name_with_its_own_configuration(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str
) -> None:
    service = {"template": {"image": "x/y:2"}, "history": [{"name": "svc-one", "image": "x/y:1"}]}
    sandbox = one_service(make_sandbox, service, same_name_same_config=option)
    client = clients_for(sandbox).services
    svc = client.get_service(name=SVC)
    svc.template.revision = "svc-one"
    svc.template.containers[0].image = "x/y:1"
    if option == "reuse":
        # Knative: the named revision is reused and, sorted first, becomes latest created
        # and latest ready, so LATEST rolls back to it
        done = client.update_service(service=svc).result(timeout=10)
        assert short(done.latest_created_revision) == "svc-one"
        assert served(done) == [("svc-one", 100, "")]
        assert len(sandbox.calls) == 3  # no revision was created: GetService, Update, poll
    else:
        with pytest.raises(exceptions.AlreadyExists):
            client.update_service(service=svc)


@pytest.mark.parametrize("option", ["unchanged_ok", "reject"])
def test_reserved_annotations(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str
) -> None:
    sandbox = (
        make_sandbox(None)
        if option == "unchanged_ok"
        else make_sandbox(_default_with({"reserved_metadata": "reject"}))
    )
    client = clients_for(sandbox).services
    api = client.get_service(name=service_name("api"))
    assert api.template.annotations["run.googleapis.com/client-name"] == "gcloud"
    api.template.containers[0].env = [
        v for v in api.template.containers[0].env if v.name != "TESTING"
    ]
    if option == "reject":
        with pytest.raises(exceptions.InvalidArgument, match="'run.googleapis.com/"):
            client.update_service(service=api)
        return
    assert client.update_service(service=api).result(timeout=10).uri  # resent as read: fine
    again = client.get_service(name=service_name("api"))
    again.template.annotations["run.googleapis.com/cpu-throttling"] = "false"
    with pytest.raises(exceptions.InvalidArgument, match="cpu-throttling"):
        client.update_service(service=again)
    again = client.get_service(name=service_name("api"))
    again.labels["serving.knative.dev/route"] = "x"
    with pytest.raises(exceptions.InvalidArgument, match="serving.knative.dev"):
        client.update_service(service=again)


def _default_with(options: dict[str, Any]) -> Any:
    from drift.sandbox import default_scenario_path, load_scenario

    scenario = load_scenario(default_scenario_path())
    return scenario.model_copy(update={"options": scenario.options.model_copy(update=options)})


def test_who_wrote_what(sandbox: Sandbox, clients: Clients) -> None:
    api = clients.services.get_service(name=service_name("api"))
    assert api.client == "gcloud" and api.creator.startswith("deployer@")
    sandbox.act_as("drift-bot@acme-chat-staging.iam.gserviceaccount.com")
    api.client, api.client_version = "drift", "0.9.0"
    api.template.labels["patched"] = "yes"
    after = clients.services.update_service(service=api).result(timeout=10)
    assert after.client == "drift" and after.client_version == "0.9.0"
    assert after.last_modifier == "drift-bot@acme-chat-staging.iam.gserviceaccount.com"
    assert after.creator == api.creator
    revision = clients.revisions.get_revision(name=after.latest_created_revision)
    assert revision.creator == "drift-bot@acme-chat-staging.iam.gserviceaccount.com"
    assert revision.annotations["run.googleapis.com/client-name"] == "drift"
    assert revision.annotations["run.googleapis.com/client-version"] == "0.9.0"
    masked = run_v2.Service(name=api.name, labels={"x": "y"})
    kept = clients.services.update_service(
        service=masked, update_mask=field_mask_pb2.FieldMask(paths=["labels"])
    ).result(timeout=10)
    assert kept.client == "drift"  # not in the mask: kept


def test_history_says_who_and_when(real_clients: Clients) -> None:
    revisions = list(
        real_clients.revisions.list_revisions(request={"parent": f"{PROD}/chat", "page_size": 2})
    )
    assert [short(r.name)[:10] for r in revisions] == [
        "chat-00004",
        "chat-00003",
        "chat-00002",
        "chat-00001",
    ]
    second = revisions[2]
    assert second.creator == "ci-deployer@acme-prod.iam.gserviceaccount.com"
    assert second.annotations["run.googleapis.com/client-version"] == "465.0.0"
    assert "LEGACY_SESSION_KEY" not in [v.name for v in second.containers[0].env]
    assert "LEGACY_SESSION_KEY" in [v.name for v in revisions[3].containers[0].env]
    ages = [r.create_time.timestamp() for r in revisions]
    assert ages == sorted(ages, reverse=True)
    assert revisions[1].annotations["run.googleapis.com/client-name"] == "cloud-console"


def delete(clients: Clients, service: str, revision: str) -> None:
    name = f"{service}/revisions/{revision}"
    clients.revisions.delete_revision(name=name).result(timeout=10)


@pytest.mark.parametrize("option", ["refused", "allowed"])
def test_delete_revision(make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str) -> None:
    spec = {
        "history": [{"name": "svc-a"}, {"name": "svc-b"}, {"name": "svc-c"}],
        "template": {"image": "x/y:4"},
        "traffic": [
            {"revision": "svc-b", "percent": 100},
            {"revision": "svc-c", "percent": 0, "tag": "t"},
        ],
    }
    sandbox = one_service(make_sandbox, spec, delete_latest_created=option)
    clients = clients_for(sandbox)
    service = SVC
    for name, reason in (("svc-b", "serving traffic"), ("svc-c", "traffic tag")):
        with pytest.raises(exceptions.FailedPrecondition, match=reason):
            delete(clients, service, name)
    delete(clients, service, "svc-a")  # retired
    with pytest.raises(exceptions.NotFound):
        clients.revisions.get_revision(name=f"{service}/revisions/svc-a")
    latest = short(clients.services.get_service(name=service).latest_created_revision)
    if option == "refused":
        with pytest.raises(exceptions.FailedPrecondition, match="latest created"):
            delete(clients, service, latest)
        return
    delete(clients, service, latest)
    after = clients.services.get_service(name=service)
    assert short(after.latest_created_revision) == "svc-c" == short(after.latest_ready_revision)


def test_revision_names_are_unique_in_the_project_and_region(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(
        {
            "projects": {
                "p": {
                    "number": 3,
                    "services": {
                        "api": {},
                        "api-x": {"history": [{"name": "api-x-1"}]},
                    },
                }
            }
        }
    )
    client = clients_for(sandbox).services
    api = client.get_service(name="projects/p/locations/us-central1/services/api")
    api.template.revision = "api-x-1"
    with pytest.raises(exceptions.AlreadyExists, match="unique within the namespace"):
        client.update_service(service=api)


def test_a_generated_number_is_above_every_number_a_name_took(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """revhist62 F3: a history that names svc-00003-abc, then revisions the sandbox names: each
    numbered on from it (the unnamed older one, the seeded template and a later deploy alike),
    never 00002 again nor a second 00003, and the generation as high as the numbers given."""
    history = [{"name": "svc-00001-abc"}, {"name": "svc-00003-abc"}, {"image": "x/y:3"}]
    sandbox = one_service(make_sandbox, {"template": {"image": "x/y:4"}, "history": history})
    assert sandbox.service("p", "svc").generation == 5
    assert sandbox.deploy("p", "svc", image="x/y:5").generation == 6
    listed = clients_for(sandbox).revisions.list_revisions(parent=SVC)
    numbers = sorted(short(r.name).split("-")[1] for r in listed)
    assert numbers == ["00001", "00003", "00004", "00005", "00006"], numbers


@pytest.mark.parametrize(("option", "expected"), [("last_serving", 1), ("generation", 2)])
def test_observed_generation_after_a_failure(
    make_sandbox: MakeSandbox, option: str, expected: int
) -> None:
    service = {"history": [{}], "failed": "x"}
    sandbox = one_service(make_sandbox, service, failed_observed_generation=option)
    assert sandbox.service("p", "svc").observed_generation == expected
    sandbox.hold_deploys()
    sandbox.deploy("p", "svc", image="x/y:3")
    assert sandbox.service("p", "svc").observed_generation == expected
    failed = sandbox.finish_deploy("p", "svc", failure="boom")
    assert failed.observed_generation == (3 if option == "generation" else expected)


@pytest.mark.parametrize(("option", "expected"), [("cleared", ""), ("kept", "gcloud")])
def test_a_full_replace_without_client(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, expected: str
) -> None:
    sandbox = make_sandbox(_default_with({"client_when_omitted": option}))
    client = clients_for(sandbox).services
    api = client.get_service(name=service_name("api"))
    api.client = ""
    api.labels["touched"] = "yes"
    assert client.update_service(service=api).result(timeout=10).client == expected


@pytest.mark.parametrize("missing", ["version", "path"])
def test_a_secret_volume_item_needs_a_path_and_a_version(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, missing: str
) -> None:
    """SecretVolumeSource.items (k8s_min.proto): "When items are defined, they must specify a
    path and a version." A deploy without one is refused; nothing is deployed."""
    sandbox = one_service(make_sandbox, {"template": {"image": "x/svc:1"}})
    client = clients_for(sandbox).services
    svc = client.get_service(name=SVC)
    item = {"path": "config.json", "version": "1"}
    del item[missing]
    svc.template.revision = ""
    svc.template.volumes = [
        run_v2.Volume(
            name="cfg",
            secret=run_v2.SecretVolumeSource(secret="cfg", items=[run_v2.VersionToPath(**item)]),
        )
    ]
    svc.template.containers[0].volume_mounts = [
        run_v2.VolumeMount(name="cfg", mount_path="/etc/cfg")
    ]
    with pytest.raises(exceptions.InvalidArgument, match=f"secret.items: {missing}"):
        client.update_service(service=svc)
    assert client.get_service(name=SVC).generation == svc.generation


def test_who_acts_is_forgotten_at_the_next_reset(sandbox: Sandbox, clients: Clients) -> None:
    """`act_as` wrote into the scenario's options, which outlive a reset: every later test
    on that worker saw its writes made by drift-bot (a test of whose revision drift
    replaced failed or passed by the order tests ran in)."""
    sandbox.act_as("drift-bot@acme-chat-staging.iam.gserviceaccount.com")
    sandbox.reset()
    after = sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
    revision = clients.revisions.get_revision(name=after.latest_created_revision)
    assert revision.creator == "deployer@example.com"
