"""A profile's min_instances above its max_instances (helper-556 S4): no service scales at least
one and at most the other, so no live state meets both and a fix would write a contradiction
(the sandbox refuses it in the template: `validate_spec`). It is one profile error at the
floor's line naming the cap's, exit 2, for every command that loads the profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fields.test_network_settings import _world
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile, _run


@pytest.mark.parametrize("command", [("profiles", "validate"), ("plan", "lab"), ("check", "lab")])
def test_a_floor_above_the_cap_is_refused_where_the_floor_is(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    _profile(tmp_path, "      min_instances: 5\n      max_instances: 2\n")
    args = (*command, str(tmp_path / "profiles")) if command[0] == "profiles" else command
    done = drift(*args, cwd=tmp_path, env={"DRIFT_PROFILES_DIR": str(tmp_path / "profiles")})
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "lab.yaml:6: app: min_instances 5 is above max_instances 2 (" in out, out
    assert "lab.yaml:7)" in out and "Traceback" not in out, out


@pytest.mark.parametrize(
    "bounds",
    [
        "      min_instances: 2\n      max_instances: 2\n",
        "      min_instances: 1\n      max_instances: 5\n",
        "      min_instances: 50\n",  # no cap stated: the profile contradicts nothing it says
        "      manual_instances: auto\n      min_instances: 0\n      max_instances: 1\n",
    ],
)
def test_bounds_in_order_are_taken(tmp_path: Path, bounds: str) -> None:
    _profile(tmp_path, bounds)
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def _lab(make_sandbox: MakeSandbox, scaling: dict[str, Any] | None, template_max: int = 0) -> Any:
    world = _world(None)
    app = world["projects"][LAB]["services"]["app"]
    if scaling is not None:
        app["scaling"] = scaling
    if template_max:
        app["template"]["max_instances"] = template_max
    return make_sandbox(world)


@pytest.mark.parametrize(
    ("scaling", "template_max", "stated", "said", "flags"),
    [
        (  # the service's cap stays 3: a floor of 5 above it is refused by Cloud Run
            {"minInstanceCount": 1, "maxInstanceCount": 3}, 0, "min_instances: 5",
            "min_instances 5 would be above the service's max_instances 3",
            "--min=5 --max=<MAX>",
        ),
        (
            {"minInstanceCount": 3, "maxInstanceCount": 10}, 0, "max_instances: 2",
            "max_instances 2 would be below the service's min_instances 3",
            "--max=2 --min=<MIN>",
        ),
        (  # no service-level scaling: the revision's own cap
            None, 3, "min_instances: 5",
            "min_instances 5 would be above the revision's max_instances 3",
            "--min-instances=5 --max-instances=<MAX>",
        ),
    ],
)  # fmt: skip
def test_a_bound_the_patch_would_cross_is_a_manual_step_and_nothing_is_written(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    scaling: dict[str, Any] | None,
    template_max: int,
    stated: str,
    said: str,
    flags: str,
) -> None:
    """A profile stating one bound beyond the other the service keeps: the update would hold
    a floor above its cap, which Cloud Run refuses (the sandbox too: request_limits); the plan
    said `set` and the fix failed at the server. Now a manual step naming the level, and a fix
    writes nothing."""
    sandbox = _lab(make_sandbox, scaling, template_max)
    _profile(tmp_path, f"      {stated}\n")
    plan = json.loads(_run(sandbox, tmp_path, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert [s["name"] for s in sp["settings"]] == []
    (step,) = [m for m in sp["manual"] if m["target"].startswith("setting.")]
    assert said in step["reason"] and flags in step["commands"][0], step
    before = sandbox.service(LAB, "app")
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode in (0, 1), done.stdout + done.stderr  # the drift stays, said
    assert "Traceback" not in done.stderr and "INVALID_ARGUMENT" not in done.stdout + done.stderr
    assert sandbox.service(LAB, "app").generation == before.generation


def test_both_bounds_stated_in_order_are_written_together(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _lab(make_sandbox, {"minInstanceCount": 1, "maxInstanceCount": 3})
    _profile(tmp_path, "      min_instances: 5\n      max_instances: 10\n")
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 1, done.stdout + done.stderr  # the e2e tag's revision: a step
    held = sandbox.service(LAB, "app").scaling
    assert (held.min_instance_count, held.max_instance_count) == (5, 10)
