"""Option `project_in_names`: the project a Cloud Run resource name says when the request named
the project by number. run v2 service.proto's Service.name gives only "Format:
projects/{project}/locations/{location}/services/{service_id}" ({project}: an id or a number);
whether the answer echoes the form asked for is left open, so the sandbox does either: `id`
(always the project's id) or `as_asked`. Both are tested here, through the official clients."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from drift.sandbox.scenario import load_scenario
from tests.conftest import Clients, ClientsFor, MakeSandbox
from tests.sandbox.conftest import REAL_SHAPES

ID, NUMBER, REGION = "acme-prod", "500000000001", "us-central1"
FORMS = ("id", "as_asked")


def _sandbox(make_sandbox: MakeSandbox, form: str) -> Sandbox:
    scenario = load_scenario(REAL_SHAPES)
    options = scenario.options.model_copy(update={"project_in_names": form})
    return make_sandbox(scenario.model_copy(update={"options": options}))


def _parent(project: str) -> str:
    return f"projects/{project}/locations/{REGION}"


def _said(form: str, asked: str) -> str:
    """The project the answer should name: the id, or (as_asked) the form asked for."""
    return asked if form == "as_asked" else ID


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("asked", [ID, NUMBER])
def test_a_service_and_its_revisions_name_the_project_as_the_option_says(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, form: str, asked: str
) -> None:
    clients = clients_for(_sandbox(make_sandbox, form))
    said = _parent(_said(form, asked))
    chat = clients.services.get_service(name=f"{_parent(asked)}/services/chat")
    assert chat.name == f"{said}/services/chat"
    assert chat.latest_ready_revision.startswith(f"{said}/services/chat/revisions/")
    assert chat.latest_created_revision.startswith(f"{said}/services/chat/revisions/")
    # what the user wrote stays as written (secret references, the network): only names turn
    assert (
        chat.template == clients.services.get_service(name=f"{_parent(ID)}/services/chat").template
    )
    listed = clients.services.list_services(parent=_parent(asked))
    assert {s.name.rsplit("/", 1)[0] for s in listed} == {f"{said}/services"}
    revisions = list(clients.revisions.list_revisions(parent=f"{_parent(asked)}/services/chat"))
    assert revisions
    for revision in revisions:
        assert revision.name.startswith(f"{said}/services/chat/revisions/"), revision.name
        assert revision.service == f"{said}/services/chat"
    one = clients.revisions.get_revision(
        name=f"{_parent(asked)}/services/chat/revisions/{revisions[0].name.rsplit('/', 1)[1]}"
    )
    assert one.name == revisions[0].name


@pytest.mark.parametrize("form", FORMS)
def test_an_update_by_number_answers_as_the_option_says_and_stores_by_id(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, form: str
) -> None:
    """The operation's name is echoed too, and can be polled back by that name (the client
    waits on it); the service is still stored once, by id."""
    clients: Clients = clients_for(_sandbox(make_sandbox, form))
    said = _parent(_said(form, NUMBER))
    service = clients.services.get_service(name=f"{_parent(NUMBER)}/services/web")
    service.template.containers[0].env.append(run_v2.EnvVar(name="MODE", value="live"))
    service.name = f"{_parent(NUMBER)}/services/web"
    operation = clients.services.update_service(service=service)
    assert operation.operation.name.startswith(f"{said}/operations/"), operation.operation.name
    done = operation.result(timeout=30)
    assert done.name == f"{said}/services/web"
    assert done.latest_ready_revision.startswith(f"{said}/services/web/revisions/")
    polled = clients.services._transport.operations_client.get_operation(  # noqa: SLF001
        operation.operation.name
    )
    assert polled.done and polled.name == operation.operation.name
    by_id = clients.services.get_service(name=f"{_parent(ID)}/services/web")
    assert by_id.name == f"{_parent(ID)}/services/web"
    assert by_id.latest_ready_revision.startswith(f"{_parent(ID)}/services/web/revisions/")
    assert any(var.name == "MODE" for var in by_id.template.containers[0].env)
    names = [s.name for s in clients.services.list_services(parent=_parent(ID))]
    assert names.count(f"{_parent(ID)}/services/web") == 1


@pytest.mark.parametrize("form", FORMS)
def test_jobs_executions_and_worker_pools_name_the_project_as_the_option_says(
    make_sandbox: MakeSandbox, run_for: Any, form: str
) -> None:
    run = run_for(_sandbox(make_sandbox, form))
    said = _parent(_said(form, NUMBER))
    job = run.jobs.get_job(name=f"{_parent(NUMBER)}/jobs/migrate-db")
    assert job.name == f"{said}/jobs/migrate-db"
    execution = run.jobs.run_job(name=f"{_parent(NUMBER)}/jobs/migrate-db").metadata
    assert execution.name.startswith(f"{said}/jobs/migrate-db/executions/"), execution.name
    assert execution.job in (f"{said}/jobs/migrate-db", "migrate-db")
    listed = list(run.executions.list_executions(parent=f"{_parent(NUMBER)}/jobs/migrate-db"))
    assert listed and all(e.name.startswith(f"{said}/jobs/migrate-db/") for e in listed)
    pool = run.pools.get_worker_pool(name=f"{_parent(NUMBER)}/workerPools/queue-consumer")
    assert pool.name == f"{said}/workerPools/queue-consumer"
    assert pool.latest_created_revision.startswith(f"{said}/workerPools/queue-consumer/")
