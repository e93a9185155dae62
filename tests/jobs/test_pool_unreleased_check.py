"""`check` warns of a worker pool's template exactly where `drift fix` (and the plan's
`blocked:` line) stops on it (SPEC invariant 8): a pool is updated in place on its template, so
a template that is not what its instances run would go out with the patch
(`drift.fix.instances.pool_stop`) — when its template's revision has no instances; when it
has some, the template is released, a gradual rollout as a service's. The warning names the
same differences, the image included (`drift.diff.served.unreleased_revisions`), where it
compared the fingerprint alone (no image) and said nothing of an image that would roll out."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import POOL_SPEC, world

PROFILE = (
    "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
    "    env:\n      QUEUE: {queue}\n"
)
OLD, NEW = "us-docker.pkg.dev/example/consumer:0", "us-docker.pkg.dev/example/consumer:1"


def _pool(
    sandbox: Sandbox, splits: list[dict[str, Any]], queue: str = "events", **history: Any
) -> None:
    """The jobworld pool: the template (revision 2) runs consumer:1 with QUEUE=`queue`,
    revision 1 consumer:0 (and `history`'s changes), the instances split as `splits`."""
    pool = copy.deepcopy(POOL_SPEC)
    pool["template"]["containers"][0]["env"] = [{"name": "QUEUE", "value": queue}]
    pool["history"] = [{"image": OLD, **history}]
    pool["instance_splits"] = splits
    sandbox.reset(world(jobs={}, pools={"pool": pool}))


def _run(sandbox: Sandbox, tmp_path: Path, queue: str) -> tuple[str, list[dict[str, Any]], str]:
    """`drift check prod` (table), its JSON findings of revision.rollout, `drift plan prod`."""
    profiles = write_profile(tmp_path / "profiles", PROFILE.format(queue=queue))
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(profiles)}
    table = drift("check", "prod", env=env, cwd=tmp_path).stdout
    data = json.loads(drift("check", "prod", "--format", "json", env=env, cwd=tmp_path).stdout)
    found = [f for f in data["findings"] if f["rule"] == "revision.rollout"]
    return table, found, drift("plan", "prod", env=env, cwd=tmp_path).stdout


def test_check_warns_of_the_pool_image_fix_stops_on(reseedable: Sandbox, tmp_path: Path) -> None:
    """Every instance pinned to revision 1 (consumer:0), the template a `--no-traffic`-like
    revision 2 of consumer:1: an env fix would update the template in place and run consumer:1
    on the instances, so fix stops; check warns of revision 1, naming the image as the plan's
    `blocked:` line does (it said nothing: the fingerprint leaves images out)."""
    _pool(reseedable, [{"revision": 1, "percent": 100}])
    table, found, plan = _run(reseedable, tmp_path, "other")
    difference = f"image (container consumer): {OLD} → {NEW}"
    assert "blocked: drift fix stops here" in plan and difference in plan, plan
    (finding,) = found
    assert finding["severity"] == "warning", finding
    assert finding["target"].startswith("revision.pool-00001"), finding
    assert finding["message"].endswith(f"worker pool template ({difference})"), finding
    assert table.count("revision.rollout") == 1 and difference in table, table


def test_a_pool_mid_rollout_warns_of_no_image_and_says_no_false_stop(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """revown62b F1: a hand change of QUEUE during a pool's image rollout (LATEST, the
    template's revision, 50 %; revision 1, consumer:0 and QUEUE=events, 50 %). The template's
    revision has instances: it is released, as a service's (`served.template_serves`), so
    neither check nor plan speaks of its image as unreleased; the patch writes QUEUE back to
    what revision 1 runs (the warning counted repaired), and the fix stops only because
    revision 1's instances, pinned, run another image (`instances.stuck_note`)."""
    split = [{"revision": 1, "percent": 50}, {"latest": True, "percent": 50}]
    _pool(reseedable, split, queue="by-hand", env={"QUEUE": "events"})
    table, found, plan = _run(reseedable, tmp_path, "events")
    (finding,) = found
    assert finding["message"].endswith("worker pool template (env.QUEUE)"), finding
    assert "would roll that out" not in plan and f"{OLD} → {NEW}" not in plan, plan
    assert "blocked: drift fix stops here before any write: its instance split pins" in plan, plan
    profiles = {"DRIFT_PROFILES_DIR": str(tmp_path / "profiles")}
    env = {**reseedable.environ(), **profiles}
    data = json.loads(drift("plan", "prod", "--format", "json", env=env, cwd=tmp_path).stdout)
    (pool,) = data["services"]
    assert finding["id"] in pool["fixes"] and not pool["manual"], pool


def test_a_blocked_pool_plan_reads_what_its_header_names(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """helper-809 F4: every instance pinned to revision 1 (QUEUE=events), the template's
    revision 2 (QUEUE=events-v2) unreleased. The blocked plan's header names revision 1, and
    its before-value was the template's (`events-v2 -> jobs`, JSON `"before": "events-v2"`):
    it is now what revision 1 runs, as a service's plan reads what serves; the template's
    value stays among the differences the `blocked:` line names."""
    _pool(reseedable, [{"revision": 1, "percent": 100}], "events-v2", env={"QUEUE": "events"})
    profiles = write_profile(tmp_path / "profiles", PROFILE.format(queue="jobs"))
    env = {**reseedable.environ(), "DRIFT_PROFILES_DIR": str(profiles)}
    plan = drift("plan", "prod", env=env, cwd=tmp_path).stdout
    ran = reseedable.worker_pool("p", "pool").instance_split_statuses[0].revision
    assert f"worker pool pool  (from {ran.rsplit('/', 1)[-1]})" in plan, plan
    assert "QUEUE events -> jobs" in " ".join(plan.split()), plan
    assert "events-v2 -> jobs" not in plan and "blocked:" in plan, plan
    data = json.loads(drift("plan", "prod", "--format", "json", env=env, cwd=tmp_path).stdout)
    (pool,) = data["services"]
    assert [c["before"] for c in pool["env"]] == ["events"], pool["env"]
