"""Cloud Run v2 Services/Revisions/Operations in the sandbox, through the official clients."""

from __future__ import annotations

import asyncio
import re

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import run_v2
from google.longrunning import operations_pb2
from google.protobuf import field_mask_pb2

from drift.sandbox import Sandbox
from tests.conftest import AsyncClients, Clients, ClientsFor, MakeSandbox
from tests.sandbox.helpers import NUMBER, PARENT, PROJECT, REGION, probe, service_name

LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
FAILED = run_v2.Condition.State.CONDITION_FAILED


def env_of(container: run_v2.Container) -> dict[str, str]:
    return {
        var.name: var.value or f"secret:{var.value_source.secret_key_ref.secret}"
        for var in container.env
    }


def with_env(service: run_v2.Service, **values: str | None) -> run_v2.Service:
    """The service with plain variables set (or removed with None), as drift would send it."""
    container = service.template.containers[0]
    kept = [var for var in container.env if var.name not in values]
    kept += [run_v2.EnvVar(name=k, value=v) for k, v in values.items() if v is not None]
    container.env = kept
    return service


def with_secret_env(service: run_v2.Service, name: str, secret: str) -> run_v2.Service:
    ref = run_v2.EnvVarSource(secret_key_ref=run_v2.SecretKeySelector(secret=secret))
    service.template.containers[0].env.append(run_v2.EnvVar(name=name, value_source=ref))
    return service


def test_list_services_pages_through_every_service(clients: Clients, sandbox: Sandbox) -> None:
    pager = clients.services.list_services(request={"parent": PARENT, "page_size": 2})
    pages = list(pager.pages)
    assert [len(page.services) for page in pages] == [2, 1]
    names = [s.name for page in pages for s in page.services]
    assert names == [service_name(s) for s in ("api", "auth", "web")]
    by_number = clients.services.list_services(parent=f"projects/{NUMBER}/locations/{REGION}")
    assert [s.name for s in by_number] == names
    assert sandbox.call_counts()["ListServices"] == 3


def test_list_services_refuses_every_region(clients: Clients) -> None:
    """ListServicesRequest.parent: "Location must be a valid Google Cloud region, and cannot
    be the "-" wildcard." (run v2 service.proto), as ListWorkerPools says of its own."""
    with pytest.raises(exceptions.InvalidArgument, match="'-'"):
        list(clients.services.list_services(parent=f"projects/{PROJECT}/locations/-"))
    with pytest.raises(exceptions.InvalidArgument, match="'-'"):
        list(clients.services.list_services(parent=f"projects/{NUMBER}/locations/-"))


def test_get_service_looks_like_cloud_run(clients: Clients) -> None:
    api = clients.services.get_service(name=service_name("api", NUMBER))
    assert api.name == service_name("api")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", api.uri) and api.urls == [api.uri]
    assert re.fullmatch(
        rf"{service_name('api')}/revisions/api-00004-[a-z]{{3}}", api.latest_ready_revision
    )
    assert api.latest_created_revision == api.latest_ready_revision
    assert api.generation == api.observed_generation == 4 and api.etag and not api.reconciling
    assert api.terminal_condition.state == run_v2.Condition.State.CONDITION_SUCCEEDED
    (status,) = api.traffic_statuses
    assert status.type_ == LATEST and status.percent == 100
    assert status.revision == api.latest_ready_revision.rsplit("/", 1)[1]
    template = api.template
    assert template.service_account == "api@acme-chat-staging.iam.gserviceaccount.com"
    assert template.timeout.total_seconds() == 3600
    assert template.max_instance_request_concurrency == 250
    assert template.session_affinity and template.containers[0].resources.cpu_idle is False
    assert template.scaling.min_instance_count == 1 and template.scaling.max_instance_count == 20
    assert template.annotations["run.googleapis.com/client-name"] == "gcloud"
    env = env_of(template.containers[0])
    assert env["TESTING"] == "true" and env["JWT_SECRET_KEY"] == "secret:jwt-secret-staging"
    assert "E2E_TEST_MODE" not in env


def test_unknown_service_and_project(clients: Clients) -> None:
    with pytest.raises(exceptions.NotFound):
        clients.services.get_service(name=service_name("nope"))
    with pytest.raises(exceptions.PermissionDenied):
        clients.services.get_service(name=service_name("api", "other-project"))
    with pytest.raises(exceptions.InvalidArgument):
        clients.services.get_service(name="services/api")


def test_revisions_list_newest_first_and_get(clients: Clients) -> None:
    revisions = list(clients.revisions.list_revisions(parent=service_name("api")))
    numbers = [r.name.rsplit("/", 1)[1].split("-")[1] for r in revisions]
    assert numbers == ["00004", "00003", "00002", "00001"]
    oldest = clients.revisions.get_revision(name=revisions[-1].name)
    assert oldest.service == service_name("api")
    assert oldest.containers[0].image.endswith("api:v2.12.0")
    assert "TESTING" not in env_of(oldest.containers[0])
    ref = next(v for v in oldest.containers[0].env if v.name == "SECRET_KEY")
    assert ref.value_source.secret_key_ref.version == "2"
    with pytest.raises(exceptions.NotFound):
        clients.revisions.get_revision(name=service_name("api") + "/revisions/api-00009-zzz")


def test_update_creates_a_serving_revision(clients: Clients, sandbox: Sandbox) -> None:
    before = clients.services.get_service(name=service_name("api"))
    operation = clients.services.update_service(service=with_env(before, TESTING=None))
    after = operation.result(timeout=10)
    assert re.fullmatch(r".*/revisions/api-00005-[a-z]{3}", after.latest_created_revision)
    assert after.latest_ready_revision == after.latest_created_revision
    assert after.generation == before.generation + 1 and after.etag != before.etag
    assert after.traffic_statuses[0].revision == after.latest_created_revision.rsplit("/", 1)[1]
    assert "TESTING" not in env_of(after.template.containers[0])
    assert len(list(clients.revisions.list_revisions(parent=service_name("api")))) == 5
    stored = clients.services.get_service(name=service_name("api"))
    assert stored.etag == after.etag and not stored.reconciling
    calls = [c for c in sandbox.calls if c.short == "UpdateService"]
    assert len(calls) == 1 and calls[0].code == "OK"
    assert calls[0].request.service.name == service_name("api")


def test_unchanged_template_creates_no_revision(clients: Clients) -> None:
    before = clients.services.get_service(name=service_name("auth"))
    before.labels["team"] = "identity"
    after = clients.services.update_service(service=before).result(timeout=10)
    assert after.latest_created_revision == before.latest_created_revision
    assert after.labels["team"] == "identity" and after.generation == before.generation + 1


@pytest.mark.parametrize("stale_etag", ["aborted", "failed_precondition", "ignored"])
def test_stale_etag_is_aborted_and_changes_nothing(
    clients: Clients, sandbox: Sandbox, stale_etag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Option `stale_etag`: AIP-154's ABORTED, the FAILED_PRECONDITION it asked for before
    (aip.dev/154 as first published: "must send a FAILED_PRECONDITION error response"), or
    applied over what was written since (run v2's etag "May be used to detect modification
    conflict during updates")."""
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    stale = clients.services.get_service(name=service_name("api"))
    clients.services.update_service(service=with_env(stale, LOG_LEVEL="WARNING")).result(timeout=10)
    current = clients.services.get_service(name=service_name("api"))
    stale = with_env(stale, LOG_LEVEL="DEBUG")
    if stale_etag == "ignored":
        done = clients.services.update_service(service=stale).result(timeout=10)
        assert done.generation == current.generation + 1
        assert env_of(done.template.containers[0])["LOG_LEVEL"] == "DEBUG"
        return
    refused = exceptions.Aborted if stale_etag == "aborted" else exceptions.FailedPrecondition
    with pytest.raises(refused, match="etag"):
        clients.services.update_service(service=stale)
    assert clients.services.get_service(name=service_name("api")).etag == current.etag


def test_validate_only_answers_the_would_be_service_and_changes_nothing(
    clients: Clients, sandbox: Sandbox
) -> None:
    before = clients.services.get_service(name=service_name("web"))
    request = run_v2.UpdateServiceRequest(
        service=with_env(before, NEXT_TELEMETRY_DISABLED=None), validate_only=True
    )
    would_be = clients.services.update_service(request=request).result(timeout=10)
    assert "NEXT_TELEMETRY_DISABLED" not in env_of(would_be.template.containers[0])
    assert would_be.latest_created_revision != before.latest_created_revision
    after = clients.services.get_service(name=service_name("web"))
    assert after.etag == before.etag and after.generation == before.generation
    assert len(list(clients.revisions.list_revisions(parent=service_name("web")))) == 2
    (call,) = [c for c in sandbox.calls if c.short == "UpdateService"]
    assert call.request.validate_only


@pytest.mark.parametrize("checks", ["deploy", "request"])
def test_validate_only_reports_a_revision_that_would_fail(
    clients: Clients, sandbox: Sandbox, checks: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Option `validate_only_checks`: the deploy-time secret check, or only the request's
    ("validated and default values populated, without persisting": validate_only)."""
    monkeypatch.setattr(sandbox.scenario.options, "validate_only_checks", checks)
    service = with_secret_env(
        clients.services.get_service(name=service_name("web")), "JWT", "jwt-secret-staging"
    )
    request = run_v2.UpdateServiceRequest(service=service, validate_only=True)
    if checks == "request":
        would_be = clients.services.update_service(request=request).result(timeout=10)
        assert would_be.template.containers[0].env[-1].value_source.secret_key_ref.secret
        return
    with pytest.raises(exceptions.FailedPrecondition, match="Permission denied on secret"):
        clients.services.update_service(request=request).result(timeout=10)


def test_allow_missing_creates_a_service(clients: Clients) -> None:
    template = run_v2.RevisionTemplate(
        containers=[run_v2.Container(image="us-docker.pkg.dev/cloudrun/container/hello", env=[])]
    )
    service = run_v2.Service(name=service_name("worker"), template=template)
    with pytest.raises(exceptions.NotFound):
        clients.services.update_service(service=service)
    request = run_v2.UpdateServiceRequest(service=service, allow_missing=True)
    created = clients.services.update_service(request=request).result(timeout=10)
    assert created.uri and created.generation == 1
    assert created.latest_ready_revision.endswith(created.latest_created_revision.rsplit("/")[-1])
    assert probe(created.uri, "/any/path").reply == '{"type": "pong"}'
    # sent without an ingress: Service.ingress "On output, returns the currently observed
    # ingress settings, or INGRESS_TRAFFIC_UNSPECIFIED if no revision is active" (helper-547 F4)
    all_traffic = run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL
    assert created.ingress == all_traffic
    assert clients.services.get_service(name=service_name("worker")).ingress == all_traffic


@pytest.mark.parametrize("name", ["9lives", "worker-", "w" * 50, "Worker"])
def test_allow_missing_refuses_a_name_no_service_may_have(clients: Clients, name: str) -> None:
    """CreateServiceRequest.service_id (run v2 service.proto): "It must begin with letter,
    and cannot end with hyphen; must contain fewer than 50 characters"; AIP-122 resource IDs
    are lowercase. UpdateService with `allow_missing` creates the service by its name."""
    template = run_v2.RevisionTemplate(
        containers=[run_v2.Container(image="us-docker.pkg.dev/cloudrun/container/hello")]
    )
    request = run_v2.UpdateServiceRequest(
        service=run_v2.Service(name=service_name(name), template=template), allow_missing=True
    )
    with pytest.raises(exceptions.InvalidArgument, match="begin with a letter"):
        clients.services.update_service(request=request)
    with pytest.raises(exceptions.NotFound):
        clients.services.get_service(name=service_name(name))
    ok = f"w{'x' * 47}9"  # 49 characters
    request.service.name = service_name(ok)
    assert clients.services.update_service(request=request).result(timeout=10).name.endswith(ok)


def test_update_mask_changes_only_the_named_fields(clients: Clients) -> None:
    before = clients.services.get_service(name=service_name("auth"))
    request = with_env(run_v2.Service(before), OAUTH_PROVIDER="github")
    request.labels["owner"] = "identity"
    mask = field_mask_pb2.FieldMask(paths=["labels"])
    after = clients.services.update_service(service=request, update_mask=mask).result(timeout=10)
    assert after.labels["owner"] == "identity"
    assert env_of(after.template.containers[0])["OAUTH_PROVIDER"] == "google"
    assert after.latest_created_revision == before.latest_created_revision


def test_invalid_requests_are_rejected(clients: Clients) -> None:
    service = clients.services.get_service(name=service_name("api"))
    service.template.containers[0].env.append(run_v2.EnvVar(name="TESTING", value="false"))
    with pytest.raises(exceptions.InvalidArgument, match="duplicate"):
        clients.services.update_service(service=service)
    service = clients.services.get_service(name=service_name("api"))
    service.traffic = [run_v2.TrafficTarget(type_=LATEST, percent=60)]
    with pytest.raises(exceptions.InvalidArgument, match="100"):
        clients.services.update_service(service=service)


def test_an_env_value_over_32768_bytes_is_rejected(clients: Clients) -> None:
    """run v2 `EnvVar.value`: "the maximum length is 32768 bytes" (bytes: `é` is two)."""
    for value, refused in (("x" * 32768, False), ("é" * 16384, False), ("é" * 16385, True)):
        service = with_env(clients.services.get_service(name=service_name("api")), LONG=value)
        if refused:
            with pytest.raises(exceptions.InvalidArgument, match="32768 bytes"):
                clients.services.update_service(service=service)
        else:
            after = clients.services.update_service(service=service).result(timeout=10)
            assert env_of(after.template.containers[0])["LONG"] == value


def canary_request(service: run_v2.Service, name: str) -> run_v2.Service:
    """drift's canary: the patched template as a named revision with 0% and a tag."""
    serving = service.traffic_statuses[0].revision
    service.template.revision = name
    service.traffic = [
        run_v2.TrafficTarget(type_=REVISION, revision=serving, percent=100),
        run_v2.TrafficTarget(type_=REVISION, revision=name, percent=0, tag="canary"),
    ]
    return service


def test_canary_tag_routes_to_the_new_revision_then_promotes(
    clients: Clients, sandbox: Sandbox
) -> None:
    api = clients.services.get_service(name=service_name("api"))
    serving = api.traffic_statuses[0].revision
    patched = with_env(api, E2E_TEST_MODE="true")
    patched = with_secret_env(
        patched, "E2E_OAUTH_SIMULATION_KEY", "e2e-oauth-simulation-key-staging"
    )
    patched = with_secret_env(patched, "JWT_SECRET_STAGING", "jwt-secret-staging")
    after = clients.services.update_service(
        service=canary_request(patched, "api-canary-xyz")
    ).result(timeout=10)
    assert after.latest_created_revision.endswith("/revisions/api-canary-xyz")
    by_tag = {s.tag: s for s in after.traffic_statuses}
    assert by_tag["canary"].revision == "api-canary-xyz" and by_tag["canary"].percent == 0
    assert by_tag["canary"].uri.startswith("http://127.0.0.1:")
    assert [s.revision for s in after.traffic_statuses if s.percent] == [serving]

    from drift.sandbox import mint_test_jwt

    token = mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging"))
    e2e = {"X-Test-Type": "e2e"}
    assert probe(by_tag["canary"].uri, token=token, headers=e2e).reply == '{"type": "pong"}'
    assert probe(after.uri, token=token, headers=e2e).close_code == 1011

    after.traffic = [run_v2.TrafficTarget(type_=REVISION, revision="api-canary-xyz", percent=100)]
    promoted = clients.services.update_service(service=after).result(timeout=10)
    assert promoted.latest_created_revision == after.latest_created_revision
    assert [(s.revision, s.percent) for s in promoted.traffic_statuses] == [("api-canary-xyz", 100)]
    assert probe(promoted.uri, token=token, headers=e2e).reply == '{"type": "pong"}'


def test_missing_secret_fails_the_revision_and_keeps_traffic(clients: Clients) -> None:
    before = clients.services.get_service(name=service_name("api"))
    request = with_secret_env(run_v2.Service(before), "FERNET_KEY", "fernet-key-staging")
    operation = clients.services.update_service(service=request)
    with pytest.raises(
        exceptions.FailedPrecondition, match="secrets/fernet-key-staging.*not found"
    ):
        operation.result(timeout=10)
    after = clients.services.get_service(name=service_name("api"))
    assert after.latest_ready_revision == before.latest_ready_revision
    assert after.latest_created_revision != before.latest_created_revision
    assert [(s.revision, s.percent) for s in after.traffic_statuses] == [
        (s.revision, s.percent) for s in before.traffic_statuses
    ]
    assert after.terminal_condition.state == FAILED
    failed = clients.revisions.get_revision(name=after.latest_created_revision)
    ready = next(c for c in failed.conditions if c.type_ == "Ready")
    assert ready.state == FAILED and "fernet-key-staging" in ready.message
    assert ready.reason == run_v2.Condition.CommonReason.SECRETS_ACCESS_CHECK_FAILED


def test_denied_service_account_fails_the_revision(clients: Clients) -> None:
    web = clients.services.get_service(name=service_name("web"))
    operation = clients.services.update_service(
        service=with_secret_env(web, "DATABASE_URL", "database-url-staging")
    )
    with pytest.raises(exceptions.FailedPrecondition) as raised:
        operation.result(timeout=10)
    message = str(raised.value)
    assert "Permission denied on secret" in message and "database-url-staging" in message
    assert "web@acme-chat-staging.iam.gserviceaccount.com" in message
    assert "postgresql://" not in message


def test_canary_that_fails_gets_no_tag_and_no_traffic(clients: Clients) -> None:
    api = clients.services.get_service(name=service_name("api"))
    request = canary_request(with_secret_env(api, "X", "missing-secret"), "api-canary-bad")
    with pytest.raises(exceptions.FailedPrecondition):
        clients.services.update_service(service=request).result(timeout=10)
    after = clients.services.get_service(name=service_name("api"))
    assert [s.tag for s in after.traffic_statuses] == [""]
    assert after.traffic_statuses[0].revision == api.traffic_statuses[0].revision


def test_operation_runs_until_polled_after_the_delay(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(operation_delay_ms=300)
    client = clients_for(sandbox).services
    service = with_env(client.get_service(name=service_name("web")), LOG_LEVEL="WARNING")
    operation = client.update_service(service=service)
    assert not operation.done()
    assert client.get_service(name=service_name("web")).reconciling
    # The generated client's wait_operation mixin lacks a response deserializer: call the
    # wire method directly.
    channel = grpc.insecure_channel(sandbox.address)
    wait = channel.unary_unary(
        "/google.longrunning.Operations/WaitOperation",
        request_serializer=operations_pb2.WaitOperationRequest.SerializeToString,
        response_deserializer=operations_pb2.Operation.FromString,
    )
    try:
        waited = wait(operations_pb2.WaitOperationRequest(name=operation.operation.name))
    finally:
        channel.close()
    assert waited.done and not waited.HasField("error")
    assert not client.get_service(name=service_name("web")).reconciling
    assert operation.result(timeout=10).generation == service.generation + 1


def test_async_clients(async_clients: AsyncClients) -> None:
    async def scenario() -> None:
        async with async_clients() as c:
            pager = await c.services.list_services(request={"parent": PARENT, "page_size": 1})
            names = [s.name async for s in pager]
            assert len(names) == 3
            api = await c.services.get_service(name=service_name("api"))
            operation = await c.services.update_service(service=with_env(api, TESTING=None))
            after = await operation.result(timeout=10)
            assert after.generation == api.generation + 1
            with pytest.raises(exceptions.Aborted):
                await c.services.update_service(service=api)
            revisions = [
                r async for r in await c.revisions.list_revisions(parent=service_name("api"))
            ]
            assert revisions[0].name == after.latest_created_revision
            results = await asyncio.gather(
                *(c.services.get_service(name=service_name(s)) for s in ("api", "auth", "web"))
            )
            assert [r.name.rsplit("/", 1)[1] for r in results] == ["api", "auth", "web"]

    asyncio.run(scenario())


def test_vpc_access_names_a_connector_or_network_interfaces(clients: Clients) -> None:
    """ "one and only one of connector and network_interfaces must be set" (the API's
    INVALID_ARGUMENT, googleapis/google-cloud-node#4731): both, or an egress alone, is
    refused; either one is accepted."""
    connector = f"projects/{PROJECT}/locations/us-central1/connectors/c1"
    interface = run_v2.VpcAccess.NetworkInterface(network="default", subnetwork="default")
    egress = run_v2.VpcAccess.VpcEgress.ALL_TRAFFIC
    for refused in (
        run_v2.VpcAccess(connector=connector, network_interfaces=[interface]),
        run_v2.VpcAccess(egress=egress),
    ):
        service = clients.services.get_service(name=service_name("api"))
        service.template.vpc_access = refused
        with pytest.raises(exceptions.InvalidArgument, match="one and only one"):
            clients.services.update_service(service=service)
    for accepted in (
        run_v2.VpcAccess(connector=connector, egress=egress),
        run_v2.VpcAccess(network_interfaces=[interface], egress=egress),
    ):
        service = clients.services.get_service(name=service_name("api"))
        service.template.vpc_access = accepted
        clients.services.update_service(service=service).result(timeout=10)


def test_variable_names_are_refused_only_as_cloud_run_documents(clients: Clients) -> None:
    """Cloud Run's environment-variables page forbids an empty name, `=` in a name and the
    X_GOOGLE_ prefix; nothing else. A name a shell would not take (`my var`, `::x`) is taken
    — a check must then show it safely — and the forbidden ones are INVALID_ARGUMENT."""
    for refused in ("", "A=B", "X_GOOGLE_THING"):
        service = clients.services.get_service(name=service_name("api"))
        service.template.containers[0].env.append(run_v2.EnvVar(name=refused, value="v"))
        with pytest.raises(exceptions.InvalidArgument, match="invalid name"):
            clients.services.update_service(service=service)
    service = clients.services.get_service(name=service_name("api"))
    for taken in ("my var", "::warning::x", "GOOGLE_X_OK"):
        service.template.containers[0].env.append(run_v2.EnvVar(name=taken, value="v"))
    clients.services.update_service(service=service).result(timeout=10)
    now = clients.services.get_service(name=service_name("api"))
    assert {"my var", "::warning::x", "GOOGLE_X_OK"} <= set(env_of(now.template.containers[0]))
