"""A fix keeps the live variables its profile does not name, so the variables it adds may take
a container over Cloud Run's 1,000 (`ENV_COUNT_MAX`; the profile's own count is refused when it
loads): those additions are a manual step naming the container, the count and the limit, never
a write Cloud Run refuses (the sandbox refuses it: `validate.env_values`); the rest of the plan
is written (helper-689 L6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

KEPT = {f"KEPT_{i:03}": "x" for i in range(995)}  # live, named by no rule
PROFILE = (
    "project: acme\nregion: us-central1\nservices:\n  api:\n    env:\n      KEPT_000: changed\n"
    + "".join(f"      NEW_{i}: on\n" for i in range(10))
)


def _world() -> dict[str, Any]:
    template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080, "env": KEPT}
    service = {"template": template}
    return {
        "projects": {"acme": {"number": 5, "region": "us-central1", "services": {"api": service}}}
    }


def _env(sandbox: Sandbox) -> dict[str, str]:
    container = sandbox.service("acme", "api").template.containers[0]
    return {v.name: v.value for v in container.env}


def test_additions_over_the_limit_are_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    plan = drift_on(sandbox, tmp_path, ("prod", PROFILE), "plan", "prod")
    shown = plan.stdout + plan.stderr
    assert "Traceback" not in shown, shown
    assert "would hold 1005 environment variables with the 10 the profile adds" in shown, shown
    assert "at most 1000 in one container of a service" in shown, shown
    assert "configuring/services/environment-variables" in shown, shown
    assert "prod: 1 change in 1 service, 1 manual step" in shown, shown  # KEPT_000 alone
    fixed = drift_on(sandbox, tmp_path, ("prod", PROFILE), "fix", "prod", "--yes", "--no-verify")
    said = fixed.stdout + fixed.stderr
    assert "at most 1000 environment variables" not in said, said  # never refused
    env = _env(sandbox)
    assert env["KEPT_000"] == "changed" and len(env) == 995, said  # the rest is written
