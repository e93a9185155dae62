"""What Google answers a write whose new revision uses an image missing from its registry or a
Serverless VPC Access connector that does not exist (drift/sandbox/registry.py): through the
official clients, the operation's error, the revision's Ready condition, the service's
terminal condition and traffic left where it was; a job's update and its executions; a
connector refused at the write or failing the revision (option `missing_connector`)."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.jobworld import JOB, JOB_SPEC, sandbox_of

State = run_v2.Condition.State
Reason = run_v2.Condition.CommonReason
NAME = "projects/p/locations/us-central1/services/web"
APP, AGENT = "us-docker.pkg.dev/example/web:1", "us-docker.pkg.dev/example/agent:1"
GONE = "us-docker.pkg.dev/example/agent:2-deleted"
CONNECTOR = "projects/p/locations/us-central1/connectors/vpc"


def world(**options: Any) -> dict[str, Any]:
    """`web`: an ingress container and a sidecar, 100 % LATEST, a connector."""
    template = {
        "vpcAccess": {"connector": CONNECTOR, "egress": "PRIVATE_RANGES_ONLY"},
        "containers": [
            {"name": "app", "image": APP, "ports": [{"containerPort": 8080}]},
            {"name": "agent", "image": AGENT},
        ],
    }
    return {
        "options": {"seed": 5, **options},
        "projects": {"p": {"number": 3, "services": {"web": {"template": template}}}},
    }


def update(clients: Any, change: Any) -> Any:
    service = clients.services.get_service(name=NAME)
    change(service.template)
    service.template.revision = ""
    return clients.services.update_service(service=service)


def sidecar_image(image: str) -> Any:
    def change(template: Any) -> None:
        template.containers[1].image = image

    return change


def connector(name: str) -> Any:
    def change(template: Any) -> None:
        template.vpc_access.connector = name

    return change


def test_a_new_revision_whose_sidecar_image_is_missing_fails_as_google_says(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(world(missing_images=[GONE]))
    clients = clients_for(sandbox)
    before = clients.services.get_service(name=NAME)
    operation = update(clients, sidecar_image(GONE))
    with pytest.raises(exceptions.GoogleAPICallError) as caught:
        operation.result(timeout=10)
    after = clients.services.get_service(name=NAME)
    created = after.latest_created_revision.rsplit("/", 1)[-1]
    assert created != before.latest_created_revision.rsplit("/", 1)[-1]
    assert caught.value.message == (
        f"Revision '{created}' is not ready and cannot serve traffic. Image '{GONE}' not found."
    )
    revision = clients.revisions.get_revision(name=after.latest_created_revision)
    ready = next(c for c in revision.conditions if c.type_ == "Ready")
    assert ready.state == State.CONDITION_FAILED and ready.reason == Reason.CONTAINER_MISSING
    assert ready.message == f"Image '{GONE}' not found."
    assert after.terminal_condition.state == State.CONDITION_FAILED
    assert after.terminal_condition.reason == Reason.REVISION_FAILED
    # traffic stays on what served (Service.reconciling)
    assert after.latest_ready_revision == before.latest_ready_revision
    assert list(after.traffic_statuses) == list(before.traffic_statuses)


def test_an_image_nobody_said_is_missing_deploys(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    clients = clients_for(make_sandbox(world()))  # the default: every image exists
    done = update(clients, sidecar_image(GONE)).result(timeout=10)
    assert done.terminal_condition.state == State.CONDITION_SUCCEEDED
    assert done.latest_ready_revision == done.latest_created_revision


def test_a_serving_revision_keeps_its_imported_image_but_a_new_one_imports_it_again(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """ "Cloud Run keeps this copy of the container image as long as it is used by a serving
    revision" (run/docs/deploying): the seeded revision, whose image is gone since, serves;
    a change of anything else makes a revision that imports it again, and fails."""
    sandbox = make_sandbox(world(missing_images=[AGENT]))
    clients = clients_for(sandbox)
    serving = clients.services.get_service(name=NAME)
    assert serving.terminal_condition.state == State.CONDITION_SUCCEEDED

    def env(template: Any) -> None:
        template.containers[0].env.append(run_v2.EnvVar(name="MODE", value="live"))

    with pytest.raises(exceptions.GoogleAPICallError, match=f"Image '{AGENT}' not found"):
        update(clients, env).result(timeout=10)
    assert clients.services.get_service(name=NAME).traffic_statuses == serving.traffic_statuses


@pytest.mark.parametrize(
    "named",
    [
        "gone",
        "projects/p/locations/us-central1/connectors/gone",
        "projects/3/locations/us-central1/connectors/gone",
    ],
    ids=["short", "by-id", "by-number"],
)
def test_a_missing_connector_is_refused_at_the_write(
    named: str, make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(world(missing_connectors=["gone"]))
    clients = clients_for(sandbox)
    before = clients.services.get_service(name=NAME)
    with pytest.raises(exceptions.InvalidArgument) as caught:
        update(clients, connector(named))
    assert caught.value.message == (
        "VPC connector projects/p/locations/us-central1/connectors/gone does not exist, "
        "or Cloud Run does not have permission to use it."
    )
    after = clients.services.get_service(name=NAME)
    assert after.etag == before.etag and after.generation == before.generation


def test_a_missing_connector_fails_the_revision_when_the_scenario_says_so(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(world(missing_connectors=["gone"], missing_connector="revision"))
    clients = clients_for(sandbox)
    before = clients.services.get_service(name=NAME)
    with pytest.raises(exceptions.GoogleAPICallError, match="connectors/gone does not exist"):
        update(clients, connector("gone")).result(timeout=10)
    after = clients.services.get_service(name=NAME)
    revision = clients.revisions.get_revision(name=after.latest_created_revision)
    ready = next(c for c in revision.conditions if c.type_ == "Ready")
    assert ready.reason == Reason.VPC_NETWORK_NOT_FOUND
    assert after.traffic_statuses == before.traffic_statuses
    # an existing connector deploys either way
    done = update(clients, connector(CONNECTOR)).result(timeout=10)
    assert done.terminal_condition.state == State.CONDITION_SUCCEEDED


def test_a_job_update_to_a_missing_image_fails_and_so_does_its_next_execution(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    gone = "us-docker.pkg.dev/example/migrate:404"
    sandbox = sandbox_of(make_sandbox, missing_images=[gone])
    run = run_for(sandbox)
    job = run.jobs.get_job(name=JOB)
    job.template.template.containers[0].image = gone
    with pytest.raises(exceptions.GoogleAPICallError, match=f"Image '{gone}' not found."):
        run.jobs.update_job(job=job).result(timeout=10)
    now = run.jobs.get_job(name=JOB)
    assert now.terminal_condition.state == State.CONDITION_FAILED
    assert now.terminal_condition.reason == Reason.CONTAINER_MISSING
    with pytest.raises(exceptions.GoogleAPICallError):
        run.jobs.run_job(name=JOB).result(timeout=10)
    execution = run.executions.get_execution(
        name=run.jobs.get_job(name=JOB).latest_created_execution.name
    )
    completed = execution.conditions[-1]
    assert completed.state == State.CONDITION_FAILED
    assert completed.reason == Reason.CONTAINER_MISSING
    assert JOB_SPEC["template"]["image"] != gone


def test_an_image_the_service_agent_may_not_read_fails_with_its_reason(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    other = "us-docker.pkg.dev/another-project/apps/agent:2"
    clients = clients_for(make_sandbox(world(unreadable_images=[other])))
    with pytest.raises(exceptions.GoogleAPICallError) as caught:
        update(clients, sidecar_image(other)).result(timeout=10)
    assert caught.value.message.endswith(
        "Google Cloud Run Service Agent service-3@serverless-robot-prod.iam.gserviceaccount.com "
        f"must have permission to read the image, {other}. Ensure that the provided container "
        "image URL is correct and that the above account has permission to access the image. "
        "If you just enabled the Cloud Run API, the permissions might take a few minutes to "
        "propagate."
    )
    after = clients.services.get_service(name=NAME)
    revision = clients.revisions.get_revision(name=after.latest_created_revision)
    ready = next(c for c in revision.conditions if c.type_ == "Ready")
    assert ready.reason == Reason.CONTAINER_PERMISSION_DENIED
