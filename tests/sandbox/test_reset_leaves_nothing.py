"""`Sandbox.reset` leaves nothing of one world for the next, as a freshly started sandbox has
nothing of another: a call still in progress (held back by a fault's latency, or waiting on an
operation) is cancelled, not carried out in the new world, and a timer the old world set (a
deploy or an execution due to settle) never fires into it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.longrunning import operations_pb2
from google.protobuf import duration_pb2
from google.protobuf.message import Message

from drift.sandbox import Fault, Sandbox
from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import JOB, PARENT, world

SVC = f"{PARENT}/services/svc"
HELD_MS = 1000
"""The latency a fault holds a call back with: the old code carries the call out after it."""
DELAY_MS = 100
"""The old world's operation delay: its timers are due this long after its writes."""


def services_world(**options: Any) -> dict[str, Any]:
    """jobworld's project `p` (job `job`) with a service `svc` too."""
    data = world(**options)
    data["projects"]["p"]["services"] = {"svc": {}}
    return data


@pytest.fixture
def channel(make_sandbox: MakeSandbox) -> Iterator[Callable[[Sandbox], grpc.Channel]]:
    opened: list[grpc.Channel] = []

    def make(sandbox: Sandbox) -> grpc.Channel:
        opened.append(grpc.insecure_channel(sandbox.address))
        return opened[-1]

    yield make
    for one in opened:
        one.close()


def call(
    channel: grpc.Channel, path: str, request: Message, answer: Any = operations_pb2.Operation
) -> grpc.Future:
    """The call `path` under way (its answer an Operation): a future the test waits on."""
    method = channel.unary_unary(
        path,
        request_serializer=type(request).SerializeToString,
        response_deserializer=answer.FromString,
    )
    future: grpc.Future = method.future(request, timeout=30)
    return future


def update_service(sandbox: Sandbox) -> Message:
    service = run_v2.Service(name=SVC)
    service.template.containers.append(run_v2.Container(image="us-docker.pkg.dev/example/img:2"))
    return run_v2.UpdateServiceRequest.pb(run_v2.UpdateServiceRequest(service=service))


def run_job(sandbox: Sandbox) -> Message:
    return run_v2.RunJobRequest.pb(run_v2.RunJobRequest(name=JOB))


def served_image(sandbox: Sandbox) -> tuple[int, str]:
    service = sandbox.service("p", "svc")
    return service.generation, service.template.containers[0].image


def executions(sandbox: Sandbox) -> tuple[int, str]:
    job = sandbox.job("p", "job")
    return job.execution_count, job.latest_created_execution.name


WRITES = {
    "a deploy": ("/google.cloud.run.v2.Services/UpdateService", update_service, served_image),
    "an execution": ("/google.cloud.run.v2.Jobs/RunJob", run_job, executions),
}


def wait_for_call(sandbox: Sandbox, method: str) -> None:
    """Until the sandbox has received a call to `method` (it is answering it)."""
    for _ in range(2000):
        if any(c.short == method for c in sandbox.calls):
            return
        time.sleep(0.005)
    raise AssertionError(f"{method} never reached the sandbox")


@pytest.mark.parametrize("what", WRITES)
def test_a_write_a_fault_holds_back_is_not_carried_out_in_the_world_after_a_reset(
    make_sandbox: MakeSandbox, channel: Any, what: str
) -> None:
    path, request, state = WRITES[what]
    sandbox = make_sandbox(services_world())
    seeded = state(sandbox)
    method = path.rsplit("/", 1)[-1]
    # latency only: the call waits HELD_MS, then is carried out
    sandbox.inject(Fault(method=method, code=None, latency_ms=HELD_MS))
    pending = call(channel(sandbox), path, request(sandbox))
    wait_for_call(sandbox, method)
    sandbox.reset()
    error = pending.exception()  # the old code answers it after HELD_MS, done in the new world
    assert state(sandbox) == seeded
    assert sandbox.call_counts()[method] == 0
    assert isinstance(error, grpc.RpcError) and error.code() == grpc.StatusCode.CANCELLED


@pytest.mark.parametrize("what", WRITES)
def test_a_wait_on_an_operation_of_the_world_before_a_reset_is_cancelled(
    make_sandbox: MakeSandbox, channel: Any, what: str
) -> None:
    path, request, state = WRITES[what]
    sandbox = make_sandbox(services_world(deploys_wait=True))
    to = channel(sandbox)
    operation = call(to, path, request(sandbox)).result()
    assert not operation.done  # reconciling, or running, until the sandbox settles it
    wait = operations_pb2.WaitOperationRequest(
        name=operation.name, timeout=duration_pb2.Duration(seconds=5)
    )
    waiting = call(to, "/google.longrunning.Operations/WaitOperation", wait)
    wait_for_call(sandbox, "WaitOperation")
    sandbox.reset()
    # the old code keeps it waiting on an operation no world settles, and answers it not done
    error = waiting.exception()
    assert isinstance(error, grpc.RpcError) and error.code() == grpc.StatusCode.CANCELLED
    get = operations_pb2.GetOperationRequest(name=operation.name)
    with pytest.raises(grpc.RpcError) as lost:
        call(to, "/google.longrunning.Operations/GetOperation", get).result()
    assert lost.value.code() == grpc.StatusCode.NOT_FOUND


def test_no_timer_of_the_world_before_a_reset_fires_into_the_new_one(
    make_sandbox: MakeSandbox, channel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = services_world(operation_delay_ms=DELAY_MS)
    sandbox = make_sandbox(scenario)
    to = channel(sandbox)
    for path, request, _ in WRITES.values():  # a deploy and an execution, due in DELAY_MS
        assert not call(to, path, request(sandbox)).result().done
    sandbox.reset()
    core: Any = sandbox._core  # noqa: SLF001 — counts the ticks the loop starts
    ticks: list[float] = []
    tick = core.tick

    def counted() -> Any:
        ticks.append(time.monotonic())
        return tick()

    monkeypatch.setattr(core, "tick", counted)
    # on the sandbox's loop, until after the old timers were due (timers go off in due order)
    sandbox._call(asyncio.sleep(DELAY_MS / 1000))  # noqa: SLF001
    assert ticks == []
    service = sandbox.service("p", "svc")
    assert service.generation == 1 and not service.reconciling
    assert sandbox.job("p", "job").execution_count == 0


def test_a_call_that_comes_while_the_sandbox_resets_is_answered_by_the_new_world(
    make_sandbox: MakeSandbox, channel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(services_world())
    core: Any = sandbox._core  # noqa: SLF001 — the reset held while its old backends close
    closing, release = threading.Event(), asyncio.Event()
    close = core.fleet.close

    async def held() -> None:
        closing.set()
        await release.wait()
        await close()

    monkeypatch.setattr(core.fleet, "close", held)
    resetting = threading.Thread(target=sandbox.reset, args=(world(),))  # a world with no `svc`
    resetting.start()
    try:
        assert closing.wait(30)
        get = run_v2.GetServiceRequest.pb(run_v2.GetServiceRequest(name=SVC))
        path = "/google.cloud.run.v2.Services/GetService"
        pending = call(channel(sandbox), path, get, run_v2.Service.pb())
        # until it reached the sandbox (the old code answers it from the old world at once)
        for _ in range(2000):
            if pending.done() or getattr(core, "running", None):
                break
            time.sleep(0.005)
    finally:
        sandbox._loop.call_soon_threadsafe(release.set)  # type: ignore[union-attr]  # noqa: SLF001
        resetting.join(30)
    error = pending.exception()
    assert isinstance(error, grpc.RpcError) and error.code() == grpc.StatusCode.NOT_FOUND
    assert [c.short for c in sandbox.calls] == ["GetService"]  # the new world's first call
