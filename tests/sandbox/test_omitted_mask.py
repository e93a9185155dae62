"""Option `omitted_mask` (helper-699 F1): an UpdateService or UpdateWorkerPool sent without
`update_mask` ("Optional. The list of fields to be updated", run v2 UpdateServiceRequest)
writes every mutable field as sent (`whole`), or only those the request populates (`populated`:
AIP-134's "implied field mask equivalent to all fields that are populated"), so that a field
sent empty, zero or false keeps what was stored; a list sent non-empty is replaced whole."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.jobworld import POOL
from tests.sandbox.test_template_defaults import SERVICE, _sandbox

EITHER = pytest.mark.parametrize(("option", "kept"), [("whole", False), ("populated", True)])
"""Each reading of an omitted mask, and whether a field sent empty keeps what was stored."""


@EITHER
def test_a_service_write_that_empties_fields(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, kept: bool
) -> None:
    services = clients_for(_sandbox(make_sandbox, "filled", omitted_mask=option)).services
    first = services.get_service(name=SERVICE)
    first.labels["team"] = "chat"
    first.scaling.min_instance_count = 2
    first.template.session_affinity = True
    first.template.containers[0].env = [run_v2.EnvVar(name="A", value="1")]
    services.update_service(service=first).result()
    was = services.get_service(name=SERVICE)
    assert (was.scaling.min_instance_count, was.template.session_affinity) == (2, True)
    emptied = services.get_service(name=SERVICE)
    emptied.labels.clear()
    emptied.scaling.min_instance_count = 0
    emptied.template.session_affinity = False
    emptied.template.containers[0].env = [run_v2.EnvVar(name="B", value="2")]
    emptied.template.containers[0].image = "us-docker.pkg.dev/example/svc:2"
    services.update_service(service=emptied).result()
    now = services.get_service(name=SERVICE)
    held = (dict(now.labels), now.scaling.min_instance_count, now.template.session_affinity)
    assert held == (({"team": "chat"}, 2, True) if kept else ({}, 0, False))
    # populated fields are written either way; a list is replaced, never merged
    assert now.template.containers[0].image.endswith("svc:2")
    assert [(e.name, e.value) for e in now.template.containers[0].env] == [("B", "2")]


def _labels_once_emptied(
    read: Callable[[], Any], write: Callable[[dict[str, Any]], Any], field: str, **more: Any
) -> dict[str, str]:
    """Label the resource `team: chat`, then send it back read with its labels emptied
    (`field`: the request's field for the resource; `more`: the rest of that request): its
    labels read after."""
    labelled = read()
    labelled.labels["team"] = "chat"
    write({field: labelled}).result()
    emptied = read()
    emptied.labels.clear()
    write({field: emptied, **more}).result()
    return dict(read().labels)


@EITHER
def test_a_worker_pool_write_that_empties_a_label(
    make_sandbox: MakeSandbox, run_for: Any, option: str, kept: bool
) -> None:
    pools = run_for(_sandbox(make_sandbox, "filled", omitted_mask=option)).pools
    read = partial(pools.get_worker_pool, name=POOL)
    labels = _labels_once_emptied(read, pools.update_worker_pool, "worker_pool")
    assert labels == ({"team": "chat"} if kept else {})


def test_a_mask_sent_is_applied_as_sent_under_either_option(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    services = clients_for(_sandbox(make_sandbox, "filled", omitted_mask="populated")).services
    read = partial(services.get_service, name=SERVICE)
    mask = {"paths": ["labels"]}
    assert _labels_once_emptied(read, services.update_service, "service", update_mask=mask) == {}
