"""Long-running operations (`google.longrunning.Operations`): an update or a deletion answers
with a running operation that is done when the deploy behind it settles."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from google.longrunning import operations_pb2
from google.protobuf import any_pb2
from google.protobuf.message import Message

from drift.sandbox.names import OPERATION, RpcError, not_found, parse
from drift.sandbox.rpc import Method

DEFAULT_WAIT = 60.0


def pack(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


@dataclass
class _Op:
    current: operations_pb2.Operation
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Operations:
    """Operation store. Event-loop only."""

    def __init__(self) -> None:
        self._ops: dict[str, _Op] = {}

    def start(self, name: str, metadata: Message) -> operations_pb2.Operation:
        """A running operation (its metadata: the resource as it is now)."""
        op = operations_pb2.Operation(name=name, metadata=pack(metadata), done=False)
        self._ops[name] = _Op(op)
        return op

    def finish(
        self, name: str, final: Message, error: RpcError | None, *, response: Message | None = None
    ) -> operations_pb2.Operation:
        """Done: `final` as metadata and response (or `response`), or `error`."""
        op = operations_pb2.Operation(name=name, metadata=pack(final), done=True)
        if error is not None:
            op.error.CopyFrom(error.status())
        else:
            op.response.CopyFrom(pack(final if response is None else response))
        entry = self._ops.setdefault(name, _Op(op))
        entry.current = op
        entry.done.set()
        return op

    def get(self, name: str) -> operations_pb2.Operation:
        return self._find(name).current

    async def wait(self, name: str, timeout: float | None) -> operations_pb2.Operation:
        op = self._find(name)
        try:
            # without a timeout, wait as long as a server would before answering
            await asyncio.wait_for(op.done.wait(), DEFAULT_WAIT if timeout is None else timeout)
        except TimeoutError:
            pass
        return op.current

    def clear(self) -> None:
        self._ops.clear()

    def _find(self, name: str) -> _Op:
        parse(OPERATION, name, "projects/PROJECT/locations/REGION/operations/ID")
        op = self._ops.get(name)
        if op is None:
            raise not_found(f"Operation '{name}' not found.")
        return op


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
