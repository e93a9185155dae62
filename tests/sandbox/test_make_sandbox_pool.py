"""`make_sandbox` lends a test a sandbox an earlier test of the worker gave back
(`tests.conftest.SandboxPool`): reset to the test's scenario, nothing the earlier test left on
it reaches the later one (its writes, faults, latency, held deploys, caller, calls); one
stopped by its test, or started with options of its own (a port, a log), is never lent again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2

from drift.errors import InputError
from drift.sandbox import Fault, Sandbox
from tests.conftest import SandboxPool

WORLD: dict[str, Any] = {
    "options": {"seed": 3},
    "projects": {"p": {"number": 3, "region": "us-central1", "services": {"svc": {}}}},
}
SVC = "projects/p/locations/us-central1/services/svc"


def _get(sandbox: Sandbox) -> grpc.Future:
    channel = grpc.insecure_channel(sandbox.address)
    try:
        method = channel.unary_unary(
            "/google.cloud.run.v2.Services/GetService",
            request_serializer=run_v2.GetServiceRequest.serialize,
            response_deserializer=run_v2.Service.deserialize,
        )
        return method(run_v2.GetServiceRequest(name=SVC), timeout=30)
    finally:
        channel.close()


def _leave_all_it_can(sandbox: Sandbox) -> None:
    sandbox.set_env("p", "svc", "LEFT", "1")  # a deploy: generation 2
    sandbox.inject(Fault(method="GetService", code="UNAVAILABLE"))
    sandbox.set_latency(40)
    sandbox.hold_deploys()
    sandbox.act_as("someone@example.com")
    with pytest.raises(grpc.RpcError):
        _get(sandbox)  # a call: the fault answers it


def test_a_sandbox_given_back_is_lent_again_as_started_afresh(tmp_path: Path) -> None:
    pool = SandboxPool()
    try:
        first = pool.lend(WORLD)
        _leave_all_it_can(first)
        pool.give_back(first)
        again = pool.lend(WORLD)
        assert again is first and again.running
        core: Any = again._core  # noqa: SLF001 — what no control call reads
        assert again.calls == [] and core.faults.faults() == []
        assert core.latency == 0 and not core.hold and core.world.acting_as == ""
        service = again.service("p", "svc")
        assert service.generation == 1 and "LEFT" not in {
            v.name for v in service.template.containers[0].env
        }
        assert _get(again).name == SVC  # served, no fault left
        pool.give_back(again)
        stopped = pool.lend(WORLD)  # the same one: a test that stops it has it to itself
        stopped.stop()
        pool.give_back(stopped)
        fresh = pool.lend(WORLD)
        assert fresh is not stopped and fresh.running
        own = pool.lend(WORLD, log=tmp_path / "calls.jsonl")  # an option of its own
        pool.give_back(own)
        assert not own.running
        pool.give_back(fresh)
    finally:
        pool.close()
    assert not fresh.running  # closing the pool stops what it kept


def test_a_bad_scenario_is_refused_and_leaves_the_pool_as_it_was() -> None:
    pool = SandboxPool()
    try:
        kept = pool.lend(WORLD)
        pool.give_back(kept)
        with pytest.raises(InputError, match="unknown key 'nope'"):
            pool.lend({"projects": {"p": {"number": 3, "services": {"svc": {"nope": 1}}}}})
        assert pool.lend(WORLD) is kept and kept.running
        pool.give_back(kept)
    finally:
        pool.close()
