"""Building the world of a scenario again (every `Sandbox.reset`) gives the state a first build
gives: the templates made for a scenario's spec are used again, never shared with a built
world, and never for another spec."""

from __future__ import annotations

import time

import pytest

from drift.sandbox.scenario import default_scenario_path, load_scenario
from drift.sandbox.seed import build_world
from drift.sandbox.state import World


def _dump(world: World) -> list[bytes]:
    out = []
    for rec in [*world.services.values(), *world.pools.values()]:
        out.append(rec.pb.SerializeToString(deterministic=True))
        out += [r.SerializeToString(deterministic=True) for r in rec.revisions.values()]
    return out


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)


@pytest.mark.usefixtures("frozen")
def test_a_second_build_is_the_first_and_shares_nothing_with_it() -> None:
    scenario = load_scenario(default_scenario_path())
    first = build_world(scenario)
    expected = _dump(first)
    for rec in first.services.values():  # what a test's writes could do to the first world
        rec.pb.template.containers[0].image = "changed"
        rec.pb.template.containers[0].env.add(name="ADDED", value="1")
        for revision in rec.revisions.values():
            revision.containers[0].image = "changed"
    assert _dump(build_world(scenario)) == expected


@pytest.mark.usefixtures("frozen")
def test_another_spec_gets_its_own_templates() -> None:
    scenario = load_scenario(default_scenario_path())
    build_world(scenario)
    other = scenario.model_copy(deep=True)
    project = next(iter(other.projects.values()))
    name, spec = next(iter(project.services.items()))
    spec.template.image = "elsewhere/other:1"
    world = build_world(other)
    rec = world.find_service(next(iter(other.projects)), name)
    assert rec.pb.template.containers[0].image == "elsewhere/other:1"
    assert [r.containers[0].image for r in rec.revisions.values()][-1] == "elsewhere/other:1"


@pytest.mark.usefixtures("frozen")
def test_a_spec_edited_in_place_is_built_as_it_reads_now() -> None:
    """revown82 F1: `Sandbox.scenario` hands back the live model; a test that edits a spec
    in place and resets gets the world the edited scenario describes, not the templates made
    for the spec before the edit."""
    scenario = load_scenario(default_scenario_path())
    build_world(scenario)
    project = next(iter(scenario.projects.values()))
    name, spec = next(iter(project.services.items()))
    spec.template.image = "us-docker.pkg.dev/example/changed:2"
    rec = build_world(scenario).find_service(next(iter(scenario.projects)), name)
    assert rec.pb.template.containers[0].image == "us-docker.pkg.dev/example/changed:2"
