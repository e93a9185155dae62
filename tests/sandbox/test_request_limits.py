"""The request-wide limits the sandbox refuses as Cloud Run does (helper-556 S4): a request
timeout over 60 minutes ("can be extended up to 60 minutes (3600 seconds)", request-timeout
page), a floor above its cap at the revision or the service level, a negative count — each
INVALID_ARGUMENT, its neighbour taken."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.jobworld import POOL
from tests.sandbox.test_template_defaults import SERVICE, _sandbox


def _timeout(service: run_v2.Service, seconds: int) -> None:
    service.template.timeout = timedelta(seconds=seconds)


def _service_bounds(low: int, high: int) -> Any:
    def change(service: run_v2.Service) -> None:
        service.scaling = run_v2.ServiceScaling(min_instance_count=low, max_instance_count=high)

    return change


def _template_bounds(low: int, high: int) -> Any:
    def change(service: run_v2.Service) -> None:
        service.template.scaling = run_v2.RevisionScaling(
            min_instance_count=low, max_instance_count=high
        )

    return change


@pytest.mark.parametrize(
    ("change", "refused", "said"),
    [
        (lambda s: _timeout(s, 3601), True, "spec.template.timeout: must be at most 3600"),
        (lambda s: _timeout(s, 3600), False, ""),
        (_service_bounds(5, 2), True, "spec.scaling: min_instance_count exceeds"),
        (_service_bounds(2, 2), False, ""),
        (_service_bounds(5, 0), False, ""),  # no cap stated
        (_template_bounds(5, 2), True, "spec.template.scaling: min_instance_count exceeds"),
        (_service_bounds(-1, 2), True, "spec.scaling.min_instance_count: must not be negative"),
    ],
    ids=["timeout-3601", "timeout-3600", "svc-crossed", "svc-equal", "svc-no-cap",
         "template-crossed", "negative"],
)  # fmt: skip
def test_a_services_limits(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, change: Any, refused: bool, said: str
) -> None:
    services = clients_for(_sandbox(make_sandbox, "filled")).services
    service = services.get_service(name=SERVICE)
    change(service)
    if not refused:
        services.update_service(service=service).result()
        return
    with pytest.raises(exceptions.InvalidArgument, match=said):
        services.update_service(service=service)
    assert services.get_service(name=SERVICE).generation == service.generation  # unwritten


def test_a_worker_pools_negative_count_is_refused(make_sandbox: MakeSandbox, run_for: Any) -> None:
    pools = run_for(_sandbox(make_sandbox, "filled")).pools
    pool = pools.get_worker_pool(name=POOL)
    pool.scaling.manual_instance_count = -1
    with pytest.raises(exceptions.InvalidArgument, match="manual_instance_count: must not be"):
        pools.update_worker_pool(worker_pool=pool)
    pool.scaling.manual_instance_count = 3
    pools.update_worker_pool(worker_pool=pool).result()
