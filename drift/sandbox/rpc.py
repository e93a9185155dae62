"""The gRPC plumbing every emulated method shares: the call log, injected faults and latency,
errors as gRPC statuses, paging, and the generic handlers the server registers."""

from __future__ import annotations

import asyncio
import base64
import collections
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import grpc
from google.protobuf.message import Message

from drift.sandbox.faults import FaultBook
from drift.sandbox.names import RpcError, invalid
from drift.sandbox.quotas import QuotaBook

LOGGER = logging.getLogger("drift.sandbox")
T = TypeVar("T")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
RESET = "the sandbox was reset while this call ran"
"""What a call in progress when the sandbox is reset is cancelled with, and answered."""


@dataclass
class Call:
    """One RPC the sandbox received: full method name, the request, the status it got
    ("PENDING" while running), when it arrived and when it was answered (`time.monotonic()`,
    comparable across processes on one host). Secret payloads are blanked in recorded requests."""

    method: str
    request: Any
    code: str = "PENDING"
    at: float = field(default_factory=time.monotonic)
    ended: float | None = None
    """When it was answered (`time.monotonic()`); None while it runs. The emulator's own
    record of the exchange, as `at` is: no Cloud Run or Secret Manager behaviour."""

    @property
    def short(self) -> str:
        return self.method.rsplit("/", 1)[-1]


@dataclass
class CallLog:
    """Every call served, and optionally one JSON line per call in `log` (time, method,
    resource, status: never a request body, so never a secret payload)."""

    log: Path | None = None
    _calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, request: Any) -> Call:
        call = Call(method, request)
        with self._lock:
            self._calls.append(call)
        return call

    def done(self, call: Call, code: str, resource: str) -> None:
        call.code, call.ended = code, time.monotonic()
        if self.log is None:
            return
        line = json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "method": call.method,
                "resource": resource,
                "status": code,
            }
        )
        with self._lock, self.log.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def counts(self) -> collections.Counter[str]:
        with self._lock:
            return collections.Counter(call.short for call in self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


class Context(Protocol):
    """What a method needs from the sandbox to apply faults and record calls."""

    calls: CallLog
    faults: FaultBook
    quotas: QuotaBook
    latency: float
    running: set[asyncio.Future[Any]]
    """The calls in progress (and the work they started): a reset cancels them."""
    resetting: asyncio.Event | None
    """Set when a reset in progress is over (None: none is)."""

    async def tick(self) -> None:
        """Carry out what is due before a call is answered."""

    def track(self, task: asyncio.Future[Any]) -> None:
        """Count `task` as work in progress until it is done."""


Handler = Callable[[Any], Awaitable[Message]]


@dataclass(frozen=True)
class Method:
    """One RPC: its service and method names, request type, handler, and how to record it."""

    service: str
    name: str
    request: type[Message]
    handler: Handler
    record: Callable[[Any], Any] = lambda request: request

    @property
    def path(self) -> str:
        return f"{self.service}/{self.name}"


def proto_plus_method(service: str, name: str, request_type: Any, handler: Handler) -> Method:
    """A method whose request is a proto-plus type (recorded in its proto-plus form)."""
    return Method(service, name, request_type.pb(), handler, request_type.wrap)


def resource_name(request: Message) -> str:
    """The resource a request is about (used by faults' `match`)."""
    fields = request.DESCRIPTOR.fields_by_name
    for name in ("name", "parent", "resource"):
        if name in fields:
            return str(getattr(request, name))
    for name in ("service", "worker_pool", "job"):
        if name in fields:
            return str(getattr(request, name).name)
    return ""


def generic_handlers(methods: Iterable[Method], ctx: Context) -> list[grpc.GenericRpcHandler]:
    by_service: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
    for method in methods:
        by_service.setdefault(method.service, {})[method.name] = (
            grpc.unary_unary_rpc_method_handler(
                _unary(method, ctx),
                request_deserializer=method.request.FromString,
                response_serializer=lambda message: message.SerializeToString(),
            )
        )
    return [grpc.method_handlers_generic_handler(s, table) for s, table in by_service.items()]


def _unary(
    method: Method, ctx: Context
) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Message]]:
    async def handle(request: Message, context: grpc.aio.ServicerContext[Any, Any]) -> Message:
        task = asyncio.current_task()
        assert task is not None  # grpc.aio answers each call in a task of its own
        ctx.running.add(task)
        try:
            if ctx.resetting is not None:  # it came while the sandbox resets: the new world's
                await ctx.resetting.wait()
            return await answer(request, context, task)
        finally:
            ctx.running.discard(task)

    async def answer(
        request: Message, context: grpc.aio.ServicerContext[Any, Any], task: asyncio.Task[Any]
    ) -> Message:
        call = ctx.calls.add(method.path, method.record(request))
        resource = resource_name(request)
        try:
            response = await _answer(method, ctx, request, resource)
        except RpcError as err:
            ctx.calls.done(call, err.code.name, resource)
            await context.abort(err.code, err.message, trailing_metadata=err.trailers())
            raise  # unreachable: abort raises
        except asyncio.CancelledError as err:
            ctx.calls.done(call, "CANCELLED", resource)
            if err.args != (RESET,):
                raise
            # answered at once, as a server that stops answers each call (UNAVAILABLE, there);
            # CANCELLED here, which no client retries: a retry would reach the new world
            task.uncancel()
            await context.abort(grpc.StatusCode.CANCELLED, RESET)
            raise
        except Exception:
            LOGGER.exception("sandbox: %s failed", method.path)
            ctx.calls.done(call, "INTERNAL", resource)
            await context.abort(grpc.StatusCode.INTERNAL, "internal error in the sandbox")
            raise
        ctx.calls.done(call, "OK", resource)
        return response

    return handle


async def _answer(method: Method, ctx: Context, request: Message, resource: str) -> Message:
    await ctx.tick()
    ctx.quotas.take(method.service, method.name, resource)  # before any work: refused at the door
    decision = ctx.faults.decide(method.name, resource)
    delay = ctx.latency + decision.latency
    response: Message | None = None
    if decision.after:
        # shielded: a client that gives up while it runs does not undo what it does
        response = await asyncio.shield(_tracked(ctx, method.handler(request)))
    if delay > 0:
        await asyncio.sleep(delay)
    if decision.error is not None:
        raise decision.error
    return response if response is not None else await method.handler(request)


def _tracked(ctx: Context, work: Awaitable[T]) -> asyncio.Future[T]:
    task = asyncio.ensure_future(work)
    ctx.track(task)
    return task


RAGGED_PAGE = 2
"""The most items a page holds under option `pages: ragged`."""


def paginate(
    items: Sequence[T], page_size: int, page_token: str, *, shape: str = "full"
) -> tuple[Sequence[T], str]:
    """One page of `items` and the token of the next page ("" after the last). Tokens are
    offsets (`o:N`). `shape` (option `pages`): `full` pages of the size asked for (default
    100, at most 1,000); `ragged`, what AIP-158 (google.aip.dev/158) allows a server: "The API
    may return fewer results than the number requested (including zero results), even if not
    at the end of the collection" and "If the end of the collection has not been reached (or
    if the API can not determine in time), the API must provide a next_page_token" — at most
    `RAGGED_PAGE` items a page, each such page followed by an empty one with a token (`e:N`),
    the last one's too (the end was not determined in time), whose empty page has none."""
    if page_size < 0:
        raise invalid("page_size must not be negative.")
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    start, empty = 0, False
    if page_token:
        try:
            text = base64.urlsafe_b64decode(page_token.encode()).decode()
            empty = text.startswith("e:")
            start = int(text.removeprefix("e:").removeprefix("o:"))
        except (ValueError, UnicodeDecodeError):
            raise invalid(f"Invalid page token '{page_token}'.") from None
        if not 0 <= start <= len(items):
            raise invalid(f"Invalid page token '{page_token}'.")
    if shape == "ragged":
        if empty:
            return items[:0], _token("o", start) if start < len(items) else ""
        end = start + min(size, RAGGED_PAGE)
        return items[start:end], _token("e", min(end, len(items))) if start < len(items) else ""
    end = start + size
    return items[start:end], _token("o", end) if end < len(items) else ""


def _token(kind: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{offset}".encode()).decode()
