"""gcloud's gradual rollout (revown62b F2): the template's revision v2 named at 40 %, v1 at
60 %, both drifting (MODE missing, DEBUG set). A fix builds on v2 and moves its 40 % only
(`drift.diff.served.base_revision`); v1 keeps its 60 % and its drift. The next plan must
account for every finding check reports, as a change or a manual step (`drift.fix.manual.
kept_step`): it said "0 changes, 1 manual step", v1's errors in neither."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import lab_cli, lab_world

pytestmark = pytest.mark.sandbox

V1, V2, V3 = (f"us-docker.pkg.dev/lab/app:v{n}" for n in (1, 2, 3))


def test_the_plan_after_a_rollout_fix_accounts_for_the_older_sides_findings(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    old = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}
    traffic = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    sb = make_sandbox(lab_world(template={**old, "image": V2}, history=[old], traffic=traffic))
    assert lab_cli(sb, tmp_path, "fix", "lab", "--yes").returncode == 1  # v1 keeps its drift
    check = json.loads(lab_cli(sb, tmp_path, "check", "lab", "--format", "json").stdout)
    (plan,) = json.loads(lab_cli(sb, tmp_path, "plan", "lab", "--format", "json").stdout)[
        "services"
    ]
    targets = {m["target"] for m in plan["manual"]}
    errors = [f for f in check["findings"] if f["severity"] == "error"]
    assert {f["target"] for f in errors} == {"env.DEBUG", "env.MODE"}, check
    for f in check["findings"]:
        assert f["id"] in plan["fixes"] or f["target"] in targets, (f, plan)
    step = next(m for m in plan["manual"] if m["target"] == "env.DEBUG")
    assert "keeps its 60% of traffic" in step["reason"], step
    assert any("update-traffic app" in c and "=100" in c for c in step["commands"]), step


def test_the_first_plan_of_a_rollout_claims_no_finding_the_fix_leaves(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """revown63 F1: before the fix, DEBUG and MODE are on v1 (60 %) and on v2 (40 %, the
    template's), merged into one finding each. The patch of v2 does not remove them from v1:
    the plan must not count them fixed (it did: matched by target, whatever the revision), but
    give the kept side's step, naming the revision the fix makes by its placeholder."""
    old = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}
    traffic = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    sb = make_sandbox(lab_world(template={**old, "image": V2}, history=[old], traffic=traffic))
    check = json.loads(lab_cli(sb, tmp_path, "check", "lab", "--format", "json").stdout)
    (plan,) = json.loads(lab_cli(sb, tmp_path, "plan", "lab", "--format", "json").stdout)[
        "services"
    ]
    targets = {m["target"] for m in plan["manual"]}
    for f in check["findings"]:
        assert f["id"] in plan["fixes"] or f["target"] in targets, (f, plan)
    step = next(m for m in plan["manual"] if m["target"] == "env.DEBUG")
    assert "app-00001-goj keeps its 60% of traffic" in step["reason"], step
    assert any("--to-revisions=<CANARY>=100" in c for c in step["commands"]), step
    assert "once the fix has made it" in step["reason"], step
    assert lab_cli(sb, tmp_path, "fix", "lab", "--yes").returncode == 1  # v1 keeps its drift
    after = json.loads(lab_cli(sb, tmp_path, "check", "lab", "--format", "json").stdout)
    left = [f for f in after["findings"] if f["id"] in plan["fixes"]]
    assert not left, (left, plan["fixes"])


def test_a_secret_both_sides_cannot_read_keeps_its_grant_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """revleak63 F2: a `secret.no_access` on both revisions is repaired by a grant, not by
    finishing the rollout (which cannot give access): its own step, with the grant command."""
    mode = {"secret": "mode-secret", "version": "latest"}
    old = {"image": V1, "port": 8080, "env": {"DEBUG": "true", "MODE": mode}}
    traffic = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    world = lab_world(template={**old, "image": V2}, history=[old], traffic=traffic)
    world["projects"]["fix-lab"]["secrets"] = {"mode-secret": {"versions": ["v"]}}
    sb = make_sandbox(world)
    profiles = tmp_path / "mine"
    profiles.mkdir()
    (profiles / "lab.yaml").write_text(
        "project: fix-lab\nregion: us-central1\nservices:\n  app:\n    env:\n"
        "      MODE: {secret: mode-secret}\n      DEBUG: {forbidden: true}\n"
    )
    env = {"DRIFT_PROFILES_DIR": str(profiles)}
    out = lab_cli(sb, tmp_path, "plan", "lab", "--format", "json", env=env).stdout
    (plan,) = json.loads(out)["services"]
    step = next(m for m in plan["manual"] if m["target"] == "secret.mode-secret")
    assert any("secrets add-iam-policy-binding mode-secret" in c for c in step["commands"]), step
    assert not any("update-traffic" in c for c in step["commands"]), step


def test_the_kept_step_names_the_image_its_move_runs(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """revown63 F2: the template's revision failed (v3); the fix builds on v1 (60 %), and v2
    (40 %) keeps its drift. Moving v2's share onto the fix's revision runs v1's image there:
    the kept step says so (it said "finish the rollout", the downgrade unsaid)."""
    bad = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}
    traffic = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    history = [bad, {**bad, "image": V2}]
    failed = "Image 'v3' not found."
    world = lab_world(
        template={**bad, "image": V3}, history=history, traffic=traffic, failed=failed
    )
    sb = make_sandbox(world)
    for _ in ("first plan", "after the fix"):
        (plan,) = json.loads(lab_cli(sb, tmp_path, "plan", "lab", "--format", "json").stdout)[
            "services"
        ]
        step = next(m for m in plan["manual"] if m["target"] == "env.DEBUG")
        assert "app-00002-bav keeps its 40%" in step["reason"], step
        assert f"app-00002-bav: {V2} → {V1}" in step["reason"], step
        lab_cli(sb, tmp_path, "fix", "lab", "--yes")


def test_a_missing_secret_only_the_older_side_uses_is_not_counted_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The template (v2, 40 %) is as the profile says; v1 (60 %) references a secret that does
    not exist. The patch no longer references it, but v1 keeps its share and its reference:
    the kept side's step, never a finding counted fixed."""
    old = {"image": V1, "port": 8080, "env": {"MODE": {"secret": "gone", "version": "1"}}}
    new = {"image": V2, "port": 8080, "env": {"MODE": "live"}}
    traffic = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    sb = make_sandbox(lab_world(template=new, history=[old], traffic=traffic))
    check = json.loads(lab_cli(sb, tmp_path, "check", "lab", "--format", "json").stdout)
    (plan,) = json.loads(lab_cli(sb, tmp_path, "plan", "lab", "--format", "json").stdout)[
        "services"
    ]
    gone = [f for f in check["findings"] if f["target"] == "secret.gone"]
    assert gone and not any(f["id"] in plan["fixes"] for f in gone), (check, plan)
    step = next(m for m in plan["manual"] if m["target"] == "secret.gone")
    assert "app-00001-goj keeps its 60%" in step["reason"], step


def test_a_blocked_plans_kept_step_does_not_promise_the_revision_the_fix_would_make(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """fixkept64 left: the template (v3) serves nothing, v1 60 % and v2 40 % by name: fix
    stops at the unreleased template before any write. The older side's step said "finish the
    rollout to the revision the fix makes … once the fix made it", of a revision it never
    makes."""
    old = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}
    traffic = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    history = [old, {**old, "image": V2}]
    reseedable.reset(lab_world(template={**old, "image": V3}, history=history, traffic=traffic))
    out = lab_cli(reseedable, tmp_path, "plan", "lab", "--format", "json").stdout
    (plan,) = json.loads(out)["services"]
    assert plan["stops"], plan  # blocked: fix stops there
    step = next(m for m in plan["manual"] if m["target"] == "env.DEBUG")
    assert "app-00002-bav keeps its 40%" in step["reason"], step
    assert "fix made it" not in step["reason"], step
    assert "fix has made it" not in step["reason"], step
    assert "the revision the fix makes" not in step["reason"], step
    assert "drift fix stops here before any write, so this fix makes none" in step["reason"]


def test_a_blocked_plan_gives_no_traffic_move_and_from_template_names_the_template(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """revown65 F2, F3: the template (v3) serves nothing, v1 70 % and v2 30 % by name. Fix
    stops before any write, yet the gcloud script said "drift fix moves it (its canary's
    promotion)" with an update-traffic recipe moving v1's share onto a revision of the
    unreleased template. With `--from-template` the older side's step said the fix writes
    "what app-00001-goj runs" and runs "app-00001-goj's image" (v3: the template's)."""
    old = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}
    traffic = [{"revision": 1, "percent": 70}, {"revision": 2, "percent": 30}]
    history = [old, {**old, "image": V2}]
    reseedable.reset(lab_world(template={**old, "image": V3}, history=history, traffic=traffic))
    script = lab_cli(reseedable, tmp_path, "plan", "lab", "--format", "gcloud").stdout
    assert "drift fix stops here before any write" in script, script
    assert "drift fix moves it" not in script, script
    assert "<the revision the update created>" not in script, script
    out = lab_cli(reseedable, tmp_path, "plan", "lab", "--from-template", "--format", "json")
    (plan,) = json.loads(out.stdout)["services"]
    assert plan["from_template"] and "stops" not in plan, plan
    step = next(m for m in plan["manual"] if m["target"] == "env.DEBUG")
    assert "app-00002-bav keeps its 30%" in step["reason"], step
    assert f"the template's image there: app-00002-bav: {V2} → {V3}" in step["reason"], step
    assert "app-00001-goj's image" not in step["reason"], step
    assert "what app-00001-goj runs" not in step["reason"], step


def test_an_update_in_place_does_not_say_fix_stops_nor_send_traffic_to_a_canary(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """revown65 F1: the template (v3) serves nothing, v1 30 % and v2 70 % by name; the only
    change is a setting of the service, updated in place (no canary, no new revision, no
    stop). v1's DEBUG step said "drift fix stops here before any write" and sent its share to
    `<CANARY>`; then fix wrote."""
    bad = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}
    good = {"image": V2, "port": 8080, "env": {"MODE": "live"}}
    traffic = [{"revision": 1, "percent": 30}, {"revision": 2, "percent": 70}]
    world = lab_world(template={**good, "image": V3}, history=[bad, good], traffic=traffic)
    reseedable.reset(world)
    profiles = tmp_path / "mine"
    profiles.mkdir()
    (profiles / "lab.yaml").write_text(
        "project: fix-lab\nregion: us-central1\nservices:\n  app:\n    settings:\n"
        "      invoker_iam_disabled: true\n    env:\n      MODE: live\n"
        "      DEBUG: {forbidden: true}\n"
    )
    env = {"DRIFT_PROFILES_DIR": str(profiles)}
    out = lab_cli(reseedable, tmp_path, "plan", "lab", "--format", "json", env=env).stdout
    (plan,) = json.loads(out)["services"]
    assert "stops" not in plan and plan["settings"] and not plan["new_revision"], plan
    step = next(m for m in plan["manual"] if m["target"] == "env.DEBUG")
    assert "app-00001-goj keeps its 30%" in step["reason"], step
    assert "stops here" not in step["reason"], step
    assert "the revision" not in step["reason"].split("finish the rollout to ")[1], step
    assert not any("CANARY" in c for c in step["commands"]), step
    assert any("--to-revisions=app-00002-bav=100" in c for c in step["commands"]), step
