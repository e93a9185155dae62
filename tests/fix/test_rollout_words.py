"""The words of a gradual rollout under way (revown63 F3, F4; revleak63 F4): the template's
revision serves a share (by name, or a pool's instances), so the template is released
(`drift.diff.served.template_serves`). The `revision.rollout` step on the older side said
"release the template's revision X if it is meant to serve" of an X already serving; the plan
and the gcloud script said "the template differs from what serves … `drift fix` builds on what
serves" where fix builds on the template's revision; a pool's plan named its older revision
(90 %) as the one it is `from`, where its step said a fix builds on the template's."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.fix.conftest import lab_cli, lab_world
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import POOL_SPEC, world

pytestmark = pytest.mark.sandbox

V1, V2 = "us-docker.pkg.dev/lab/app:v1", "us-docker.pkg.dev/lab/app:v2"
POOL = (
    "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
    "    env:\n      QUEUE: events\n"
)


def test_a_rollout_by_name_is_a_rollout_under_way_not_an_unreleased_template(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    old = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}
    traffic = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    reseedable.reset(
        lab_world(template={**old, "image": V2, "env": {}}, history=[old], traffic=traffic)
    )
    plan = lab_cli(reseedable, tmp_path, "plan", "lab", "--format", "json").stdout
    (sp,) = json.loads(plan)["services"]
    v1, v2 = (f"app-0000{n}" for n in (1, 2))
    assert sp["unreleased"] is None, sp
    step = next(m for m in sp["manual"] if m["target"].startswith(f"revision.{v1}"))
    assert "meant to serve" not in step["reason"], step
    assert f"a rollout to the template's revision {v2}" in step["reason"], step
    assert "undo it (all traffic to app-00001" in step["reason"], step
    assert any("--to-revisions=app-00001" in c for c in step["commands"]), step
    script = lab_cli(reseedable, tmp_path, "plan", "lab", "--format", "gcloud").stdout
    assert "differs from what serves" not in script, script
    table = lab_cli(reseedable, tmp_path, "plan", "lab").stdout
    assert "differs from what serves" not in table, table


def test_a_pools_plan_names_the_revision_its_fix_builds_on(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [{"image": "us-docker.pkg.dev/example/consumer:0", "env": {"QUEUE": "other"}}]
    pool["instance_splits"] = [{"revision": 2, "percent": 10}, {"revision": 1, "percent": 90}]
    reseedable.reset(world(jobs={}, pools={"pool": pool}))
    env = {**reseedable.environ(), "DRIFT_PROFILES_DIR": str(write_profile(tmp_path / "p", POOL))}
    (sp,) = json.loads(drift("plan", "prod", "--format", "json", env=env, cwd=tmp_path).stdout)[
        "services"
    ]
    step = next(m for m in sp["manual"] if m["target"].startswith("revision."))
    assert "meant to serve" not in step["reason"], step
    assert f"a rollout to the template's revision {sp['revision']} is under way" in step["reason"]
    assert f"(all instances to {sp['revision']})" in step["reason"], step
    assert step["target"] != f"revision.{sp['revision']}", sp  # the older one, 90 %


@pytest.mark.parametrize(
    ("traffic", "history", "moved"),
    [
        ([{"revision": 1, "percent": 100}], [], "'<the revision the update created>=100'"),
        (  # a rollout by name (fixwords64 left): the template's revision v2 moves its 40 %
            [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}],
            [{"image": V1, "port": 8080, "env": {"DEBUG": "true"}}],
            "'app-00001-goj=60,<the revision the update created>=40'",
        ),
        (None, [], ""),  # LATEST: the new revision takes it, nothing to say
    ],
)
def test_the_gcloud_script_says_a_pinned_services_new_revision_gets_no_traffic(
    reseedable: Sandbox,
    tmp_path: Path,
    traffic: list[dict[str, int]] | None,
    history: list[dict[str, object]],
    moved: str,
) -> None:
    """note23 left: `services update` of a service whose traffic names the revision a fix
    builds on makes a revision that gets no traffic until moved; the script said nothing of
    it. It says so, and what moves it: drift fix's promotion, or the command (never run)."""
    template = {"image": V2 if history else V1, "port": 8080, "env": {"DEBUG": "true"}}
    reseedable.reset(lab_world(template=template, history=history, traffic=traffic))
    script = lab_cli(reseedable, tmp_path, "plan", "lab", "--format", "gcloud").stdout
    said = [line for line in script.splitlines() if line.startswith("# traffic: ")]
    lines = script.splitlines()
    command = "gcloud run services update-traffic app --project=fix-lab --region=us-central1"
    assert [line for line in lines if "<the revision the update created>" in line] == (
        [f"#   {command} --to-revisions {moved}"] if moved else []
    ), script
    assert len(said) == bool(moved), script
    if moved:
        assert "gets no traffic from it until it is moved. drift fix moves it" in said[0]
    assert not any(line.startswith("gcloud run services update-traffic") for line in lines)
