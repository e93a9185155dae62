"""An installed drift has no checkout: a shipped scenario is named, not given a path into
site-packages (`drift sandbox --scenario real-shapes`, docs/sandbox.md)."""

from __future__ import annotations

from pathlib import Path

from drift.sandbox import default_scenario_path, load_scenario
from drift.sandbox.scenario import shipped_scenario
from tests.cliutil import drift


def test_a_shipped_scenario_is_found_by_its_name_alone(tmp_path: Path) -> None:
    real = default_scenario_path().with_name("real-shapes.yaml")
    assert shipped_scenario(Path("real-shapes")) == real
    assert shipped_scenario(Path("real-shapes.yaml")) == real
    assert load_scenario(shipped_scenario(Path("real-shapes"))).projects
    # a path, or a name no shipped scenario has, is the user's file as given
    assert shipped_scenario(Path("sub/real-shapes.yaml")) == Path("sub/real-shapes.yaml")
    assert shipped_scenario(Path("nothing")) == Path("nothing")


def test_sandbox_token_takes_a_shipped_name_from_any_directory(tmp_path: Path) -> None:
    done = drift("sandbox", "token", "--scenario", "default", cwd=tmp_path, serves=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("export ACME_TEST_JWT=")
