"""The real-shapes scenario and its profiles, checked in-process, and what each recorded call
was about (tests that count the reads of one resource)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.check import CheckResult, run_check
from drift.profiles.loader import load_profile
from drift.sandbox import Call, Sandbox
from drift.sandbox.scenario import default_scenario_path
from drift.settings import load_settings
from tests.cliutil import REPO

SHAPES = default_scenario_path().with_name("real-shapes.yaml")
PROFILES = REPO / "tests" / "data" / "shapes" / "profiles"


def resource(call: Call) -> str:
    """The resource a call named: its request's `name`, else `resource`, else `parent`."""
    request = call.request
    return str(
        getattr(request, "name", "")
        or getattr(request, "resource", "")
        or getattr(request, "parent", "")
    )


def run(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path, *services: str
) -> CheckResult:
    """`drift check prod` of `profiles` (of `services` only, if any) against `sandbox`, with
    its record of calls cleared first."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    sandbox.clear_calls()
    profile = load_profile(profiles, "prod")
    return asyncio.run(run_check(profile, load_settings(wait=0), services=list(services) or None))
