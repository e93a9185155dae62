"""A profile's min_instances above its max_instances (helper-556 S4): no service scales at least
one and at most the other, so no live state meets both and a fix would write a contradiction
(the sandbox refuses it in the template: `validate_spec`). It is one profile error at the
floor's line naming the cap's, exit 2, for every command that loads the profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.fix.test_cpu_below_one import _profile


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
