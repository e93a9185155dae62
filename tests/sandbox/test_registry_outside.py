"""What the sandbox answers, through the official clients, a write whose new revision names a
Direct VPC network that does not exist, a CMEK key Cloud Run cannot use, or an image Binary
Authorization denies (drift/sandbox/deploy_checks.py): refused at the write or a failed
revision with its CommonReason (options `missing_network`, `unusable_key`,
`binauthz_denied`), traffic left where it was; breakglass; a job updates and its execution
fails; a serving revision whose key is disabled since starts no instance."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.helpers import probe
from tests.sandbox.jobworld import JOB, sandbox_of

State = run_v2.Condition.State
Reason = run_v2.Condition.CommonReason
NAME = "projects/p/locations/us-central1/services/web"
APP = "us-docker.pkg.dev/example/web:1"
UNSIGNED = "us-docker.pkg.dev/example/web:2-unsigned"
KEY = "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"
OTHER_KEY = "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k2"


def world(binauthz: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    template = {
        "encryptionKey": KEY,
        "containers": [{"name": "app", "image": APP, "ports": [{"containerPort": 8080}]}],
    }
    service: dict[str, Any] = {"template": template}
    if binauthz is not None:
        service["binaryAuthorization"] = binauthz
    return {
        "options": {"seed": 5, **options},
        "projects": {"p": {"number": 3, "services": {"web": service}}},
    }


def update(clients: Any, change: Any) -> Any:
    service = clients.services.get_service(name=NAME)
    change(service)
    service.template.revision = ""
    return clients.services.update_service(service=service)


def subnet(network: str, subnetwork: str = "") -> Any:
    def change(service: Any) -> None:
        service.template.vpc_access = run_v2.VpcAccess(
            network_interfaces=[
                run_v2.VpcAccess.NetworkInterface(network=network, subnetwork=subnetwork)
            ]
        )

    return change


def key(name: str) -> Any:
    def change(service: Any) -> None:
        service.template.encryption_key = name

    return change


def image(name: str) -> Any:
    def change(service: Any) -> None:
        service.template.containers[0].image = name

    return change


def failed(clients: Any, operation: Any, words: str) -> Any:
    """The operation fails with `words`; the Ready condition of the new revision."""
    with pytest.raises(exceptions.GoogleAPICallError) as caught:
        operation.result(timeout=10)
    assert words in caught.value.message, caught.value.message
    after = clients.services.get_service(name=NAME)
    revision = clients.revisions.get_revision(name=after.latest_created_revision)
    assert after.latest_ready_revision != after.latest_created_revision
    return next(c for c in revision.conditions if c.type_ == "Ready")


@pytest.mark.parametrize(
    ("listed", "network", "subnetwork"),
    [
        ("vpc", "vpc", ""),  # a network alone: the subnetwork of its name
        ("apps", "default", "apps"),
        ("projects/p/regions/us-central1/subnetworks/apps", "", "apps"),
        ("projects/p/global/networks/vpc", "projects/p/global/networks/vpc", "apps"),
    ],
)
@pytest.mark.parametrize("behaviour", ["refused", "revision"])
def test_a_missing_network_is_refused_or_fails_the_revision(
    behaviour: str,
    listed: str,
    network: str,
    subnetwork: str,
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
) -> None:
    sandbox = make_sandbox(world(missing_networks=[listed], missing_network=behaviour))
    clients = clients_for(sandbox)
    before = clients.services.get_service(name=NAME)
    if behaviour == "refused":
        with pytest.raises(exceptions.InvalidArgument, match="does not exist, or Cloud Run"):
            update(clients, subnet(network, subnetwork))
        after = clients.services.get_service(name=NAME)
        assert after.etag == before.etag
    else:
        ready = failed(clients, update(clients, subnet(network, subnetwork)), "does not exist")
        assert ready.reason == Reason.VPC_NETWORK_NOT_FOUND
        after = clients.services.get_service(name=NAME)
        assert after.traffic_statuses == before.traffic_statuses
    # a network that exists deploys
    done = update(clients, subnet("fine")).result(timeout=10)
    assert done.terminal_condition.state == State.CONDITION_SUCCEEDED


@pytest.mark.parametrize(
    ("why", "reason", "words"),
    [
        ("permission_denied", "ENCRYPTION_KEY_PERMISSION_DENIED", "roles/cloudkms.cryptoKey"),
        ("check_failed", "ENCRYPTION_KEY_CHECK_FAILED", "disabled or destroyed"),
    ],
)
@pytest.mark.parametrize("behaviour", ["revision", "refused"])
def test_an_unusable_key_fails_the_revision_or_the_write(
    behaviour: str,
    why: str,
    reason: str,
    words: str,
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
) -> None:
    sandbox = make_sandbox(world(unusable_keys={OTHER_KEY: why}, unusable_key=behaviour))
    clients = clients_for(sandbox)
    before = clients.services.get_service(name=NAME)
    if behaviour == "refused":
        with pytest.raises(exceptions.InvalidArgument, match=words):
            update(clients, key(OTHER_KEY))
        assert clients.services.get_service(name=NAME).etag == before.etag
        return
    ready = failed(clients, update(clients, key(OTHER_KEY)), words)
    assert ready.reason == Reason[reason] and ready.state == State.CONDITION_FAILED
    assert clients.services.get_service(name=NAME).traffic_statuses == before.traffic_statuses


def test_a_serving_revision_whose_key_is_disabled_since_starts_no_instance(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """ "If a CMEK key is disabled, new instances of existing Cloud Run revisions using the
    key won't start" (run/docs/securing/using-cmek); its Ready condition stays (no document
    says it changes); a new revision of it fails its deploy. The scenario starts with the
    key disabled after the revision was deployed: no instance of it runs yet."""
    sandbox = make_sandbox(world(no_instance_status=503, unusable_keys={KEY: "check_failed"}))
    clients = clients_for(sandbox)
    assert probe(sandbox.service("p", "web").uri).status == 503
    serving = clients.services.get_service(name=NAME)
    assert serving.terminal_condition.state == State.CONDITION_SUCCEEDED

    def env(service: Any) -> None:
        service.template.containers[0].env.append(run_v2.EnvVar(name="MODE", value="live"))

    ready = failed(clients, update(clients, env), "disabled or destroyed")
    assert ready.reason == Reason.ENCRYPTION_KEY_CHECK_FAILED


@pytest.mark.parametrize("behaviour", ["revision", "refused"])
def test_binary_authorization_denies_an_unsigned_image_unless_breakglass(
    behaviour: str, make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(
        world({"useDefault": True}, binauthz_denied_images=[UNSIGNED], binauthz_denied=behaviour)
    )
    clients = clients_for(sandbox)
    before = clients.services.get_service(name=NAME)
    if behaviour == "refused":
        with pytest.raises(exceptions.InvalidArgument, match="not authorized by the Binary"):
            update(clients, image(UNSIGNED))
        assert clients.services.get_service(name=NAME).etag == before.etag
    else:
        ready = failed(clients, update(clients, image(UNSIGNED)), f"image {UNSIGNED} is not")
        assert ready.reason == Reason.CONTAINER_IMAGE_UNAUTHORIZED

    def breakglass(service: Any) -> None:  # with a template change: a new revision
        image(UNSIGNED)(service)
        service.template.containers[0].env.append(run_v2.EnvVar(name="WHY", value="incident"))
        service.binary_authorization.breakglass_justification = "incident 42"

    done = update(clients, breakglass).result(timeout=10)
    assert done.terminal_condition.state == State.CONDITION_SUCCEEDED


def test_binary_authorization_is_not_checked_for_a_service_without_it(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    clients = clients_for(make_sandbox(world(binauthz_denied_images=[UNSIGNED])))
    done = update(clients, image(UNSIGNED)).result(timeout=10)
    assert done.terminal_condition.state == State.CONDITION_SUCCEEDED


STRICT = "projects/p/platforms/cloudRun/strict"


def test_a_named_policy_denies_what_the_default_allows(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """Option `binauthz_policies`: a policy is its own rules (`policy`, "The path to a binary
    authorization policy", run v2 BinaryAuthorization); the default's are
    `binauthz_denied_images`."""
    clients = clients_for(
        make_sandbox(world({"useDefault": True}, binauthz_policies={STRICT: [APP]}))
    )

    def env(service: Any) -> None:
        service.template.containers[0].env.append(run_v2.EnvVar(name="MODE", value="live"))

    done = update(clients, env).result(timeout=10)  # the default allows it
    assert done.terminal_condition.state == State.CONDITION_SUCCEEDED

    def strict(service: Any) -> None:  # another variable: a new revision
        service.template.containers[0].env.append(run_v2.EnvVar(name="TIER", value="gold"))
        service.binary_authorization = run_v2.BinaryAuthorization(policy=STRICT)

    ready = failed(clients, update(clients, strict), f"image {APP} is not")
    assert ready.reason == Reason.CONTAINER_IMAGE_UNAUTHORIZED


def test_a_job_with_a_denied_image_updates_and_its_execution_fails(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    """ "You can still update the job successfully. Executing the job will fail."
    (binary-authorization/docs/run/overview)."""
    sandbox = sandbox_of(make_sandbox, binauthz_denied_images=[UNSIGNED])
    run = run_for(sandbox)
    job = run.jobs.get_job(name=JOB)
    job.template.template.containers[0].image = UNSIGNED
    job.binary_authorization.use_default = True
    done = run.jobs.update_job(job=job).result(timeout=10)
    assert done.terminal_condition.state == State.CONDITION_SUCCEEDED
    with pytest.raises(exceptions.GoogleAPICallError, match="not authorized by the Binary"):
        run.jobs.run_job(name=JOB).result(timeout=10)
    latest = run.jobs.get_job(name=JOB).latest_created_execution.name
    completed = run.executions.get_execution(name=latest).conditions[-1]
    assert completed.reason == Reason.CONTAINER_IMAGE_UNAUTHORIZED
