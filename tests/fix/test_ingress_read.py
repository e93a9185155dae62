"""Service.ingress "On output, returns the currently observed ingress settings"
(service.proto): whether the ingress a write asks for is observed before that write's deploy
serves is not said (sandbox option `ingress_read`: `requested`, as written; `observed`, as of
the last deploy that served). A fix whose canary write carries a new ingress and whose canary
cannot be created leaves the service's ingress as it was under either reading — in what the
service holds (its next deploy would apply anything left there: the door opened by a deploy
of someone else's), not only in what a read shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.test_canary_missing_image import AGENT, ENV_RULE, LAB, run, world

INTERNAL = 2  # INGRESS_TRAFFIC_INTERNAL_ONLY


def _internal(make_sandbox: MakeSandbox, reading: str, **options: Any) -> Sandbox:
    """`app` (tests/fix/test_canary_missing_image.py) with ingress `internal`."""
    scenario: dict[str, Any] = world(ingress_read=reading, **options)
    scenario["projects"][LAB]["services"]["app"]["ingress"] = "internal"
    return make_sandbox(scenario)


def _held(sandbox: Sandbox) -> int:
    """The ingress the service holds (its spec), whatever a read shows."""
    world = sandbox._core.world
    return int(world.find_service(LAB, "app", None).pb.ingress)


@pytest.mark.parametrize("reading", ["requested", "observed"])
def test_a_failed_canary_leaves_the_ingress_the_service_holds(
    reading: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _internal(make_sandbox, reading, missing_images=[AGENT])
    assert _held(sandbox) == INTERNAL and sandbox.service(LAB, "app").ingress == INTERNAL
    rules = f"{ENV_RULE}    settings:\n      ingress: all\n"
    done = run(sandbox, tmp_path, rules, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert "Traceback" not in out
    assert _held(sandbox) == INTERNAL, out
    assert sandbox.service(LAB, "app").ingress == INTERNAL, out
    checked = run(sandbox, tmp_path, rules, "check", "lab")
    assert checked.returncode == 1, checked.stdout  # the ingress drift, and the failed canary


@pytest.mark.parametrize("reading", ["requested", "observed"])
def test_a_fix_of_the_ingress_alone_is_proven_under_either_reading(
    reading: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _internal(make_sandbox, reading)
    rules = "    env:\n      DEBUG: 'true'\n    settings:\n      ingress: all\n"
    done = run(sandbox, tmp_path, rules, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _held(sandbox) == 1 and sandbox.service(LAB, "app").ingress == 1  # ALL
    assert run(sandbox, tmp_path, rules, "check", "lab").returncode == 0


@pytest.mark.parametrize("reading", ["requested", "observed"])
def test_the_option_reads_a_failed_writes_ingress_as_written_or_as_observed(
    reading: str, make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """The sandbox itself: a write asking for ALL whose revision cannot be created."""
    from google.api_core import exceptions
    from google.cloud import run_v2

    sandbox = _internal(make_sandbox, reading, missing_images=[AGENT])
    services = clients_for(sandbox).services
    name = f"projects/{LAB}/locations/us-central1/services/app"
    service = services.get_service(name=name)
    service.ingress = run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL
    service.template.containers[0].env.append(run_v2.EnvVar(name="X", value="1"))
    with pytest.raises(exceptions.GoogleAPICallError):
        services.update_service(service=service).result(timeout=10)
    assert _held(sandbox) == 1  # the spec keeps what was requested
    read = services.get_service(name=name).ingress
    assert int(read) == (1 if reading == "requested" else INTERNAL)


def failed_write_asking_all(sandbox: Sandbox, clients_for: ClientsFor) -> Any:
    """A teammate's write asking for ingress ALL (and X=1) whose revision fails: the
    ServicesClient it wrote with."""
    from google.cloud import run_v2

    services = clients_for(sandbox).services
    name = f"projects/{LAB}/locations/us-central1/services/app"
    sandbox.hold_deploys(True)
    svc = services.get_service(name=name)
    svc.template.revision = ""
    svc.ingress = run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL
    svc.template.containers[0].env.append(run_v2.EnvVar(name="X", value="1"))
    services.update_service(service=svc)
    sandbox.finish_deploy(LAB, "app", failure="boom")
    sandbox.hold_deploys(False)
    return services
