"""Long-running operations (`google.longrunning.Operations`): an update answers with a running
operation that completes when polled (GetOperation/WaitOperation) after a configurable delay."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from google.longrunning import operations_pb2
from google.protobuf import any_pb2
from google.protobuf.message import Message

from drift.sandbox.names import OPERATION, RpcError, not_found, parse
from drift.sandbox.rpc import Method


def pack(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


@dataclass
class _Op:
    running: operations_pb2.Operation
    final: operations_pb2.Operation
    due: float
    on_done: Callable[[], None] | None
    timer: asyncio.TimerHandle | None = None
    done: bool = False


class Operations:
    """Operation store. Event-loop only."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self._ops: dict[str, _Op] = {}

    def start(
        self,
        name: str,
        *,
        running: Message,
        final: Message,
        error: RpcError | None,
        on_done: Callable[[], None] | None = None,
    ) -> operations_pb2.Operation:
        """A running operation (metadata `running`) that completes after the delay with
        `final` as metadata and response, or with `error`."""
        started = operations_pb2.Operation(name=name, metadata=pack(running), done=False)
        ended = operations_pb2.Operation(name=name, metadata=pack(final), done=True)
        if error is not None:
            ended.error.CopyFrom(error.status())
        else:
            ended.response.CopyFrom(pack(final))
        op = _Op(started, ended, time.monotonic() + self.delay, on_done)
        self._ops[name] = op
        op.timer = asyncio.get_running_loop().call_later(self.delay, self._complete, op)
        return started

    def finished(
        self, name: str, final: Message, error: RpcError | None
    ) -> operations_pb2.Operation:
        """An operation that is done at once (validate_only)."""
        op = operations_pb2.Operation(name=name, metadata=pack(final), done=True)
        if error is not None:
            op.error.CopyFrom(error.status())
        else:
            op.response.CopyFrom(pack(final))
        self._ops[name] = _Op(op, op, time.monotonic(), None, done=True)
        return op

    def get(self, name: str) -> operations_pb2.Operation:
        op = self._find(name)
        if not op.done and time.monotonic() >= op.due:
            self._complete(op)
        return op.final if op.done else op.running

    async def wait(self, name: str, timeout: float | None) -> operations_pb2.Operation:
        op = self._find(name)
        remaining = op.due - time.monotonic()
        if not op.done and remaining > 0:
            await asyncio.sleep(remaining if timeout is None else min(remaining, timeout))
        return self.get(name)

    def clear(self) -> None:
        for op in self._ops.values():
            if op.timer is not None:
                op.timer.cancel()
        self._ops.clear()

    def _find(self, name: str) -> _Op:
        parse(OPERATION, name, "projects/PROJECT/locations/REGION/operations/ID")
        op = self._ops.get(name)
        if op is None:
            raise not_found(f"Operation '{name}' not found.")
        return op

    @staticmethod
    def _complete(op: _Op) -> None:
        if op.done:
            return
        op.done = True
        if op.timer is not None:
            op.timer.cancel()
        if op.on_done is not None:
            op.on_done()


def methods(ops: Operations) -> list[Method]:
    """`google.longrunning.Operations` as the Cloud Run clients poll it."""

    async def get_operation(request: operations_pb2.GetOperationRequest) -> Message:
        return ops.get(request.name)

    async def wait_operation(request: operations_pb2.WaitOperationRequest) -> Message:
        timeout = (
            request.timeout.ToTimedelta().total_seconds() if request.HasField("timeout") else None
        )
        return await ops.wait(request.name, timeout)

    service = "google.longrunning.Operations"
    return [
        Method(service, "GetOperation", operations_pb2.GetOperationRequest, get_operation),
        Method(service, "WaitOperation", operations_pb2.WaitOperationRequest, wait_operation),
    ]
