"""A local Cloud Run v2 + Secret Manager v1 emulator whose revisions run real WebSocket backends."""

from __future__ import annotations

from drift.sandbox.backend import mint_test_jwt
from drift.sandbox.errors import SandboxError
from drift.sandbox.faults import Fault
from drift.sandbox.generate import generate
from drift.sandbox.rpc import Call
from drift.sandbox.scenario import Scenario, default_scenario_path, load_scenario
from drift.sandbox.server import Sandbox, run_foreground

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
