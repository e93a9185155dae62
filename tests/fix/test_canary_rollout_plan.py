"""A canary rollout of a new image (LATEST 35 % on the template's revision, 65 % pinned on the
previous one: an image alone, not drift) and one variable changed by hand (revroundtrip F3).
`drift fix` built on the LATEST revision and was right, but the plan said "from" the 65 %
revision, added a manual step to send all traffic `--to-latest` — onto the revision with the
hand-made drift, before the fix — and `plan --format gcloud` commented out its only command as
"the template differs from what serves", though LATEST serves the template (fix/base.py
`unreleased_note` called any other serving revision's difference "unreleased")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fix.roundtrip_lab import IMAGE, lab, template

__all__ = ["lab"]

pytestmark = pytest.mark.sandbox

CANARY = {
    "template": template([{"name": "MODE", "value": "prod"}]),
    "history": [{"image": f"{IMAGE}:old"}],
    "traffic": [{"latest": True, "percent": 35}, {"revision": 1, "percent": 65}],
}


def _mode_by_hand(service: Any) -> None:
    service.template.containers[0].env[0].value = "debug"


def test_a_canary_rollout_plan_names_the_revision_it_patches(lab: Any) -> None:
    """The plan builds on LATEST's revision, proposes no `--to-latest`, and its gcloud script
    runs the one command (`services update` builds on the template, which serves)."""
    one = lab(CANARY)
    one.hand(_mode_by_hand)
    plan = json.loads(one.cli("plan", "prod", "--format", "json").stdout)
    latest = json.loads(one.cli("check", "prod", "--format", "json", "--no-history").stdout)
    drifted = next(f["revision"] for f in latest["findings"] if f["target"] == "env.MODE")
    [sp] = plan["services"]
    assert sp["revision"] == drifted, sp
    table = one.cli("plan", "prod").stdout
    assert "--to-latest" not in table and f"(from {drifted})" in table, table
    assert "differs from what serves" not in table, table
    script = one.cli("plan", "prod", "--format", "gcloud").stdout
    runnable = [line for line in script.splitlines() if line.startswith("gcloud ")]
    assert runnable == ["gcloud run services update app \\"], script
    assert "--update-env-vars=MODE=prod" in script and "not run" not in script, script
    assert one.cli("fix", "prod", "--yes").returncode == 0
    assert one.cli("check", "prod", "--no-history").returncode == 0


def test_a_pinned_older_release_keeps_its_step(lab: Any) -> None:
    """All traffic pinned to an older revision and the template changed by hand (at 0 %): no
    patch repairs how the template differs from what serves, so its step stays."""
    one = lab(
        {
            "template": template([{"name": "MODE", "value": "prod"}]),
            "history": [{"image": f"{IMAGE}:old"}],
            "traffic": [{"revision": 1, "percent": 100}],
        }
    )
    one.hand(_mode_by_hand)
    plan = json.loads(one.cli("plan", "prod", "--format", "json").stdout)
    [sp] = plan["services"]
    assert [m["target"] for m in sp["manual"]] == ["revision.app-00001-vtk"], sp
