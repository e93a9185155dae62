"""Injected faults: per-method error codes and latency, by probability or for the first N
matching calls, optionally only for resources whose name contains a substring."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2

from drift.sandbox.names import RpcError
from drift.sandbox.scenario_models import ErrorInfoSpec, FaultSpec, check_code, check_method


@dataclass(frozen=True)
class Fault:
    """Calls to `method` (short name like `GetService`, or `*`) whose resource name contains
    `match` wait `latency_ms`, then fail with `code` (None: latency only) — with probability
    `rate`, and only for the first `first_n` matching calls when set. With `after`, the call
    is carried out first and only its answer is delayed or lost: a write took effect, but the
    client sees a timeout or an error (the case a retried write must not misread). With
    `error_info`, the status details carry a google.rpc.ErrorInfo (e.g. SERVICE_DISABLED)."""

    method: str = "*"
    code: str | None = "UNAVAILABLE"
    rate: float = 1.0
    first_n: int | None = None
    latency_ms: float = 0.0
    match: str | None = None
    retry_delay_ms: int | None = None
    message: str | None = None
    after: bool = False
    error_info: ErrorInfoSpec | None = None

    def __post_init__(self) -> None:
        check_method(self.method)
        check_code(self.code)
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {self.rate}")
        if self.first_n is not None and self.first_n < 1:
            raise ValueError(f"first_n must be at least 1, got {self.first_n}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, got {self.latency_ms}")

    @classmethod
    def from_spec(cls, spec: FaultSpec) -> Fault:
        return cls(**dict(spec))  # shallow: error_info stays a model

    def applies(self, method: str, resource: str) -> bool:
        return self.method in ("*", method) and (self.match is None or self.match in resource)

    def error(self, method: str, resource: str) -> RpcError | None:
        if self.code is None or self.code == "OK":
            return None
        message = self.message or f"injected fault: {method} {resource}".rstrip()
        delay = None if self.retry_delay_ms is None else self.retry_delay_ms / 1000
        info = self.error_info
        detail = None if info is None else error_details_pb2.ErrorInfo(**info.model_dump())
        return RpcError(grpc.StatusCode[self.code], message, retry_delay=delay, error_info=detail)


@dataclass
class Decision:
    latency: float = 0.0
    error: RpcError | None = None
    after: bool = False
    """Carry the call out before the latency and the error (the answer is lost)."""


@dataclass
class _Armed:
    fault: Fault
    seen: int = 0


@dataclass
class FaultBook:
    """The faults in force. Thread-safe: tests add faults while the loop applies them."""

    seed: int = 0
    _armed: list[_Armed] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append(_Armed(fault))

    def clear(self) -> None:
        """Remove every fault (the scenario's too) and restart the random sequence."""
        self.reset(self.seed, ())

    def reset(self, seed: int, faults: Iterable[Fault]) -> None:
        with self._lock:
            self.seed = seed
            self._rng = random.Random(seed)
            self._armed = [_Armed(fault) for fault in faults]

    def faults(self) -> list[Fault]:
        with self._lock:
            return [armed.fault for armed in self._armed]

    def decide(self, method: str, resource: str) -> Decision:
        """What happens to one call: total injected latency and the first error that fires."""
        decision = Decision()
        with self._lock:
            for armed in self._armed:
                fault = armed.fault
                if not fault.applies(method, resource):
                    continue
                armed.seen += 1
                if fault.first_n is not None and armed.seen > fault.first_n:
                    continue
                if fault.rate < 1.0 and self._rng.random() >= fault.rate:
                    continue
                decision.latency += fault.latency_ms / 1000
                decision.after = decision.after or fault.after
                if decision.error is None:
                    decision.error = fault.error(method, resource)
        return decision
