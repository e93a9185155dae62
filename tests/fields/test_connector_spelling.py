"""A connector change keeps the spelling the workload uses for its own connector: a short
name in the profile over a full name live is written in full (revexact F1; harness:
/work/notes/repro/revexact/exact.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB
from tests.fix.test_rollback_prompt_values import NAME, _cli, _world

pytestmark = pytest.mark.sandbox


def test_a_connector_change_keeps_the_full_resource_name_the_service_uses(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """The service names its connector in full (VpcAccess.connector: "Format:
    projects/{project}/locations/{location}/connectors/{connector}"; Terraform's
    `google_vpc_access_connector.x.id`), `drift init` shows it short (`conn`), the profile
    says `conn2`: fix wrote the bare `conn2`, which Cloud Run keeps as sent, so the next
    `terraform plan` of a config naming the connector by id shows a diff
    (GoogleCloudPlatform/magic-modules#10332)."""
    sandbox = make_sandbox(_world())
    services = clients_for(sandbox).services
    s = services.get_service(name=NAME)
    s.template.revision = ""
    s.template.vpc_access = run_v2.VpcAccess(
        connector=f"projects/{LAB}/locations/us-central1/connectors/conn",
        egress=run_v2.VpcAccess.VpcEgress.ALL_TRAFFIC,
    )
    services.update_service(service=s).result()
    done = _cli(sandbox, tmp_path, "      vpc_connector: conn2\n", "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    after = services.get_service(name=NAME).template.vpc_access.connector
    assert after == f"projects/{LAB}/locations/us-central1/connectors/conn2", after


def test_a_short_connector_stays_short_and_another_projects_stays_as_named(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """Only the workload's own project and region are spelled in full: a short name live
    stays short, and a connector the profile names in full is written as named."""
    sandbox = make_sandbox(_world())
    services = clients_for(sandbox).services
    s = services.get_service(name=NAME)
    s.template.revision = ""
    s.template.vpc_access = run_v2.VpcAccess(
        connector="conn", egress=run_v2.VpcAccess.VpcEgress.ALL_TRAFFIC
    )
    services.update_service(service=s).result()
    done = _cli(sandbox, tmp_path, "      vpc_connector: conn2\n", "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert services.get_service(name=NAME).template.vpc_access.connector == "conn2"
    host = "projects/host-net/locations/us-central1/connectors/shared"
    done = _cli(sandbox, tmp_path, f"      vpc_connector: {host}\n", "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert services.get_service(name=NAME).template.vpc_access.connector == host


@pytest.mark.parametrize(
    "connector",
    [f"projects/{LAB}/connectors/conn", f"projects/{LAB}/locations/us-central1/connectors/"],
)
def test_a_connector_in_no_form_the_api_takes_is_refused_on_both_sides(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, connector: str
) -> None:
    """VpcAccess.connector "Format: projects/{project}/locations/{location}/connectors/
    {connector}" (or a bare name, which the API keeps): the sandbox took any text, and the
    profile too, so a fix wrote `projects/P/connectors/C` and read it back as done."""
    sandbox = make_sandbox(_world())
    services = clients_for(sandbox).services
    s = services.get_service(name=NAME)
    s.template.revision = ""
    s.template.vpc_access = run_v2.VpcAccess(connector=connector)
    with pytest.raises(exceptions.InvalidArgument, match="is not a connector's name"):
        services.update_service(service=s)
    for setting in (connector, "conn 2"):
        done = _cli(sandbox, tmp_path, f"      vpc_connector: {setting}\n", "check", "lab")
        assert done.returncode == 2, done.stdout + done.stderr
        assert "lab.yaml:8" in done.stderr and "connector's name" in done.stderr, done.stderr
    assert not services.get_service(name=NAME).template.vpc_access.connector
