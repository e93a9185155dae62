"""A local Cloud Run v2 + Secret Manager v1 emulator whose revisions run real WebSocket backends.

Its names are imported on first use (PEP 562): `drift sandbox --port 70000` is refused, and
`drift.sandbox.errors` read, without importing the gRPC server and the Google libraries."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drift.sandbox.backend import mint_test_jwt
    from drift.sandbox.errors import SandboxError
    from drift.sandbox.faults import Fault
    from drift.sandbox.generate import generate
    from drift.sandbox.rpc import Call
    from drift.sandbox.scenario import Scenario, default_scenario_path, load_scenario
    from drift.sandbox.server import Sandbox, run_foreground

_WHERE = {
    "Call": "rpc",
    "Fault": "faults",
    "Sandbox": "server",
    "SandboxError": "errors",
    "Scenario": "scenario",
    "default_scenario_path": "scenario",
    "generate": "generate",
    "load_scenario": "scenario",
    "mint_test_jwt": "backend",
    "run_foreground": "server",
}
__all__ = [
    "Call",
    "Fault",
    "Sandbox",
    "SandboxError",
    "Scenario",
    "default_scenario_path",
    "generate",
    "load_scenario",
    "mint_test_jwt",
    "run_foreground",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once: later lookups do not come here
    return value
