"""The sandbox as an object (`Sandbox`: gRPC server and backends on a background event loop)
and as a command (`run_foreground`: print the export lines, serve until Ctrl-C)."""

from __future__ import annotations

import asyncio
import collections
import signal
import sys
import threading
from collections.abc import Coroutine, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TextIO, TypeVar

import grpc

from drift.sandbox import operations
from drift.sandbox.control_jobs import JobControls
from drift.sandbox.core import Core
from drift.sandbox.crm_api import ResourceManagerApi
from drift.sandbox.echo import echoing
from drift.sandbox.errors import SandboxError, check_host, check_port
from drift.sandbox.faults import Fault
from drift.sandbox.jobs_api import JobsApi
from drift.sandbox.pools_api import PoolsApi
from drift.sandbox.rpc import Call, generic_handlers
from drift.sandbox.run_api import RunApi
from drift.sandbox.scenario import (
    Scenario,
    default_scenario_path,
    load_scenario,
    scenario_from_data,
)
from drift.sandbox.secrets_api import SecretsApi

T = TypeVar("T")
EMULATOR_VARIABLES = (
    "CLOUD_RUN_EMULATOR_HOST",
    "SECRET_MANAGER_EMULATOR_HOST",
    "RESOURCE_MANAGER_EMULATOR_HOST",
)
ScenarioLike = Scenario | Mapping[str, Any] | Path | str | None
START_TIMEOUT = 30.0


def as_scenario(scenario: ScenarioLike) -> Scenario:
    """A scenario model from a model, plain data, a file path, or None (the default)."""
    if scenario is None:
        return load_scenario(default_scenario_path())
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Path | str):
        return load_scenario(Path(scenario))
    return scenario_from_data(scenario)


class Sandbox(JobControls):
    """Cloud Run v2, Secret Manager v1 and Resource Manager v3 on one loopback gRPC port,
    with a WebSocket backend for every serving or tagged revision. Runs on its own event
    loop in a background thread; every method here is safe to call from other threads.
    `log`: append one JSON line per call served (time, method, resource, status)."""

    def __init__(
        self,
        scenario: ScenarioLike = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float | None = None,
        operation_delay_ms: float | None = None,
        log: Path | None = None,
    ) -> None:
        self.host = check_host(host)
        self._port = check_port(port)
        self._core = Core(
            as_scenario(scenario),
            host=self.host.strip("[]"),
            latency_ms=latency_ms,
            operation_delay_ms=operation_delay_ms,
        )
        self._core.calls.log = log
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: grpc.aio.Server | None = None
        self._bound = 0
        self._lock = threading.Lock()

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Start serving; returns once the gRPC port and all backends are listening."""
        with self._lock:
            if self._thread is not None:
                return self
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=self._run_loop, args=(loop,), name="drift-sandbox", daemon=True
            )
            thread.start()
            self._loop, self._thread = loop, thread
        try:
            self._call(self._astart(), timeout=START_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the gRPC server and every backend, then the loop and its thread. Idempotent."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        if thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._astop(), loop).result(START_TIMEOUT)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(START_TIMEOUT)
        loop.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def address(self) -> str:
        if not self._bound:
            raise RuntimeError("the sandbox is not started")
        return f"{self.host}:{self._bound}"

    def environ(self) -> dict[str, str]:
        """The `*_EMULATOR_HOST` variables that point clients at this sandbox."""
        return dict.fromkeys(EMULATOR_VARIABLES, self.address)

    @property
    def scenario(self) -> Scenario:
        return self._core.scenario

    def reset(self, scenario: ScenarioLike = None) -> None:
        """Back to the seeded state of `scenario` (default: the current one): world, faults,
        calls, operations and backends (ports change), as a sandbox started afresh but for its
        port. A call still in progress is answered CANCELLED, and nothing the world before
        started (a call held back by a fault, a deploy's or an execution's timer) happens in
        the new one."""
        model = None if scenario is None else as_scenario(scenario)
        self._call(self._core.load(model))

    # --- calls and faults --------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        return self._core.calls.snapshot()

    def call_counts(self) -> collections.Counter[str]:
        return self._core.calls.counts()

    def clear_calls(self) -> None:
        self._core.calls.clear()

    def inject(self, fault: Fault) -> None:
        self._core.faults.add(fault)

    def clear_faults(self) -> None:
        self._core.faults.clear()

    def set_latency(self, latency_ms: float) -> None:
        """Latency added to every call (on top of faults' latency) until the next reset."""
        self._core.latency = latency_ms / 1000

    # --- event-loop plumbing -----------------------------------------------------------

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())

    async def _astart(self) -> None:
        core = self._core
        await core.load()
        # no SO_REUSEPORT: a second sandbox on a taken port must fail, not share it
        server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        run = [
            *RunApi(core).methods(),
            *PoolsApi(core).methods(),
            *JobsApi(core).methods(),
            *operations.methods(core.ops),
        ]
        methods = [
            *(echoing(method, lambda: core.world) for method in run),
            *SecretsApi(core).methods(),
            *ResourceManagerApi(core).methods(),
        ]
        server.add_generic_rpc_handlers(generic_handlers(methods, core))
        where = f"{self.host}:{self._port}"
        try:
            self._bound = server.add_insecure_port(where)
        except RuntimeError:
            self._bound = 0
        if not self._bound:
            raise SandboxError(f"cannot listen on {where}: the port is taken")
        await server.start()
        self._server = server

    async def _astop(self) -> None:
        if self._server is not None:
            await self._server.stop(None)
            self._server = None
        await self._core.close()

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError("the sandbox is not started")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)


def run_foreground(
    scenario_path: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    out: TextIO | None = None,
    log: Path | None = None,
) -> int:
    """`drift sandbox`: print the `export …_EMULATOR_HOST` lines (and the test tokens the
    scenario's backends accept), serve until SIGINT/SIGTERM, stop cleanly, return 0. Must be
    called from the main thread. A bad host or port, or a taken port: `SandboxError`."""
    out = out or sys.stdout
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Sandbox(scenario_path, host=host, port=port, log=log) as sandbox:
            for key, value in {**sandbox.environ(), **sandbox.test_tokens()}.items():
                print(f"export {key}={value}", file=out)
            for name, url in sandbox.service_urls().items():
                print(f"# {name}: {url}", file=out)
            print("# drift sandbox is running; Ctrl-C stops it", file=out, flush=True)
            while not stopping.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
