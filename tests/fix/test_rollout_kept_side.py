"""gcloud's gradual rollout (revown62b F2): the template's revision v2 named at 40 %, v1 at
60 %, both drifting (MODE missing, DEBUG set). A fix builds on v2 and moves its 40 % only
(`drift.diff.served.base_revision`); v1 keeps its 60 % and its drift. The next plan must
account for every finding check reports, as a change or a manual step (`drift.fix.manual.
kept_step`): it said "0 changes, 1 manual step", v1's errors in neither."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.fix.conftest import lab_cli, lab_world

pytestmark = pytest.mark.sandbox

V1, V2 = "us-docker.pkg.dev/lab/app:v1", "us-docker.pkg.dev/lab/app:v2"


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
