"""A service split by name over two revisions, the template's own serving one share: `drift
fix` and then `drift rollback` leave it as it was, and drift judges it as before. The rollback
puts the template back as it was, which Cloud Run makes a new revision of ("Each deployment to
a service creates a revision", run/docs/resource-model) at 0 %, beside the one that ran it and
serves: that one is the template's (`drift.diff.served.template_revision`), so the next plan
builds on it, `check` warns of no rollout, and `fix` is not blocked (helper-811 F1). A revision
whose configuration is the template's but for one variable is never taken for it."""

from __future__ import annotations

import subprocess

import pytest

from tests.reliability.conftest import PROFILES, SCENARIO, CliWorld, MakeCliWorld

DRIFTED = (
    (PROFILES / "rel.yaml")
    .read_text()
    .replace("  split:\n    env:\n      MODE: live\n", "  split:\n    env:\n      MODE: live2\n")
)
"""split's MODE drifts (live on both revisions)."""


def near_world(difference: str = "env: {DEBUG: '1'}", shares: tuple[int, int] = (50, 50)) -> str:
    """split-00002 serves a share with the template's configuration but for `difference`;
    the template's own revision, split-00003, serves nothing."""
    return (
        SCENARIO.read_text()
        .replace(
            "          - image: us-central1-docker.pkg.dev/rel-project/app/split:1\n",
            "          - image: us-central1-docker.pkg.dev/rel-project/app/split:1\n"
            "          - {image: us-central1-docker.pkg.dev/rel-project/app/split:2, "
            f"{difference}}}\n",
        )
        .replace("{revision: 1, percent: 50}", f"{{revision: 1, percent: {shares[0]}}}")
        .replace("{revision: 2, percent: 50}", f"{{revision: 2, percent: {shares[1]}}}")
    )


def split_traffic(world: CliWorld) -> list[tuple[str, int]]:
    service = world.sandbox.service("rel-project", "split")
    return [(t.revision, t.percent) for t in service.traffic]


def plan_of_split(world: CliWorld) -> subprocess.CompletedProcess[str]:
    return world.run("plan", "rel", "--service", "split")


def rollouts(world: CliWorld) -> list[str]:
    code, report = world.json("check", "rel", "--service", "split")
    assert code in (0, 1), report
    return [f["target"] for f in report["findings"] if f["rule"] == "revision.rollout"]


def test_a_fix_rolled_back_leaves_the_split_as_drift_judged_it(cli_world: MakeCliWorld) -> None:
    world = cli_world(SCENARIO.read_text(), {"rel": DRIFTED})
    before = split_traffic(world)
    older, own = (name for name, _ in before)
    assert f"split  (from {own})" in plan_of_split(world).stdout
    assert rollouts(world) == []
    fixed = world.run("fix", "rel", "--yes", "--service", "split")
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    rolled = world.run("rollback", "--yes")
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert split_traffic(world) == before
    service = world.sandbox.service("rel-project", "split")
    restored = service.latest_created_revision.rsplit("/", 1)[-1]
    assert restored not in (older, own)  # the template put back: a new revision, at 0 %

    planned = plan_of_split(world)
    assert f"split  (from {own})" in planned.stdout, planned.stdout
    assert "blocked" not in planned.stdout, planned.stdout
    assert rollouts(world) == []  # split-00001's image alone differs: a rollout, not drift
    again = world.run("fix", "rel", "--yes", "--service", "split")
    assert again.returncode in (0, 1), again.stdout + again.stderr
    assert "stops here before any write" not in again.stdout + again.stderr
    service = world.sandbox.service("rel-project", "split")
    env = {e.name: e.value for e in service.template.containers[0].env}
    assert env["MODE"] == "live2"
    images = {service.template.containers[0].image}
    assert images == {"us-central1-docker.pkg.dev/rel-project/app/split:2"}


def test_a_revision_one_variable_away_is_not_the_templates(cli_world: MakeCliWorld) -> None:
    world = cli_world(near_world(), {"rel": DRIFTED})
    _, near = (name for name, _ in split_traffic(world))
    planned = plan_of_split(world)
    assert "blocked: drift fix stops here before any write" in planned.stdout, planned.stdout
    # the blocked line and the differences listed under it name the same revision: the one
    # running the template's image (a tie), whose DEBUG the template does not have
    assert f"the template differs from what serves ({near}): env.DEBUG" in planned.stdout
    listed = planned.stdout.split("the template's differences from what serves:\n", 1)[1]
    assert listed.splitlines()[0].strip().startswith("env.DEBUG"), planned.stdout
    assert "image:" not in listed.split("\n  set_value", 1)[0], planned.stdout
    assert f"revision.{near}" in rollouts(world)
    refused = world.run("fix", "rel", "--yes", "--service", "split")
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert split_traffic(world)[1][0] == near  # nothing written


@pytest.mark.parametrize(
    "difference",
    [
        "env: {DEBUG: '1'}",  # `drift check` compares it too
        "labels: {team: blue}",  # a write compares it (`written_differences`), check does not
    ],
)
def test_a_smaller_share_one_difference_away_is_not_built_on(
    cli_world: MakeCliWorld, difference: str
) -> None:
    """Were split-00002 (40 %) taken for the template's, the fix would build on it."""
    world = cli_world(near_world(difference, (60, 40)), {"rel": DRIFTED})
    older, _ = (name for name, _ in split_traffic(world))
    planned = plan_of_split(world)
    assert f"split  (from {older})" in planned.stdout, planned.stdout  # the most traffic
    assert f"the template differs from what serves ({older})" in planned.stdout
    assert f"revision.{older}" in rollouts(world)


def test_a_template_put_back_as_it_was_is_released_where_its_configuration_serves(
    cli_world: MakeCliWorld,
) -> None:
    """split-00002 (50 %) runs the template; its own revision, split-00003, serves nothing;
    split-00001 (50 %) runs an older image and MODE=old: a rollout under way, not finished."""
    scenario = near_world("env: {MODE: live}").replace(
        "          - image: us-central1-docker.pkg.dev/rel-project/app/split:1\n",
        "          - {image: us-central1-docker.pkg.dev/rel-project/app/split:1, "
        "env: {MODE: old}}\n",
    )
    world = cli_world(scenario, {"rel": DRIFTED})
    older, same = (name for name, _ in split_traffic(world))
    own = world.sandbox.service("rel-project", "split").latest_created_revision.rsplit("/")[-1]
    assert own not in (older, same)
    planned = plan_of_split(world).stdout
    assert f"split  (from {same})" in planned and "blocked" not in planned, planned
    assert rollouts(world) == [f"revision.{older}"]
    step = f"a rollout to the template's revision {own}, which {same} runs too, is under way"
    assert step in planned, planned


IMAGES = "us-central1-docker.pkg.dev/rel-project/app"
APP = (
    f"{{name: app, image: {IMAGES}/split:2, ports: [{{containerPort: 8080}}], "
    "env: [{name: MODE, value: live}]}"
)
SIDE = f"{{name: side, image: {IMAGES}/proxy:1}}"
SIDECARS = (
    "project: rel-project\nregion: us-central1\nservices:\n"
    "  split:\n    container: app\n    env:\n      MODE: live2\n"
)
"""split's MODE drifts in its container `app` (beside a sidecar)."""


def api_world(template: str, near: str, shares: tuple[int, int] = (60, 40)) -> str:
    """split alone: split-00001 runs an older image, split-00002 is made from `near` (v2
    RevisionTemplate fields), the template is `template`; its own revision serves nothing."""
    return f"""
projects:
  rel-project:
    number: 222222222222
    region: us-central1
    services:
      split:
        history:
          - {{image: {IMAGES}/split:1, api: {template}}}
          - {{api: {near}}}
        template: {{api: {template}}}
        traffic:
          - {{revision: 1, percent: {shares[0]}}}
          - {{revision: 2, percent: {shares[1]}}}
"""


UNPROVEN = {
    # the sidecar first: a write built on it reorders the template's containers
    "container-order": (f"{{containers: [{APP}, {SIDE}]}}", f"{{containers: [{SIDE}, {APP}]}}"),
    # no Revision carries `health_check_disabled` (google/cloud/run/v2 revision.proto; the
    # RevisionTemplate's): whether split-00002 runs the template's cannot be read
    "health-check-disabled": (
        f"{{containers: [{APP}], healthCheckDisabled: true}}",
        f"{{containers: [{APP}], healthCheckDisabled: false}}",
    ),
}


@pytest.mark.parametrize("case", list(UNPROVEN))
def test_a_smaller_share_not_proven_to_run_the_template_is_not_built_on(
    cli_world: MakeCliWorld, case: str
) -> None:
    """helper-820 F1, F2: split-00002 (40 %) was taken for the template's, and the fix, built
    on it unblocked, wrote what its plan never named (the containers reordered)."""
    world = cli_world(api_world(*UNPROVEN[case]), {"rel": SIDECARS})
    before = split_traffic(world)
    older = before[0][0]
    made = world.sandbox.service("rel-project", "split").latest_created_revision
    planned = plan_of_split(world).stdout
    assert f"split  (from {older})" in planned and "blocked" in planned, planned
    assert f"revision.{older}" in rollouts(world)
    refused = world.run("fix", "rel", "--yes", "--service", "split")
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert split_traffic(world) == before  # nothing written
    assert world.sandbox.service("rel-project", "split").latest_created_revision == made


def test_a_smaller_share_running_the_sidecars_in_order_is_built_on(
    cli_world: MakeCliWorld,
) -> None:
    """The control: the same containers in the same order, health checks as the template's."""
    both = f"{{containers: [{APP}, {SIDE}]}}"
    world = cli_world(api_world(both, both), {"rel": SIDECARS})
    _, near = (name for name, _ in split_traffic(world))
    planned = plan_of_split(world).stdout
    assert f"split  (from {near})" in planned and "blocked" not in planned, planned


def test_a_fix_built_on_what_serves_never_reorders_the_containers(
    cli_world: MakeCliWorld,
) -> None:
    """helper-820 F1, the whole share: split-00002 serves 100 % with the sidecar first, the
    template runs it second. The fix built on what serves wrote [side, app], a change its
    plan never named: the template's order is a change that does not serve, named, and the
    fix stops on it as on any other."""
    template, near = UNPROVEN["container-order"]
    world = cli_world(api_world(template, near, (0, 100)), {"rel": SIDECARS})
    made = world.sandbox.service("rel-project", "split").latest_created_revision
    planned = plan_of_split(world).stdout
    assert "blocked" in planned and "containers: the order differs" in planned, planned
    refused = world.run("fix", "rel", "--yes", "--service", "split")
    assert refused.returncode == 4, refused.stdout + refused.stderr
    service = world.sandbox.service("rel-project", "split")
    assert [c.name for c in service.template.containers] == ["app", "side"]
    assert service.latest_created_revision == made
