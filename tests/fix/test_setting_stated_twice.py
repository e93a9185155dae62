"""One container's setting stated twice in a profile: by the workload's `settings` (of the
container requests reach) and under `containers:` by that container's name."""

from __future__ import annotations

import json
from pathlib import Path

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import run, world


def test_a_setting_stated_twice_for_one_container_is_a_step_not_a_silent_loop(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """helper-551 F3: the workload's `settings.memory: 1Gi` (of the container requests reach,
    app) and `containers.app.settings.memory: 2Gi` say two things of one container: the plan
    set 1Gi and said "0 manual steps", and every check after the fix reported the other. The
    plan now says so, naming both lines; the same value stated twice is no step."""
    reseedable.reset(world())
    app = "    settings:\n      memory: 1Gi\n    containers:\n      app:\n        settings:\n"
    for value, steps in (("2Gi", 1), ("1024Mi", 0)):
        text = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n{app}"
        text += f"          memory: {value}\n"
        plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
        (sp,) = plan["services"]
        assert [(s["name"], s["after"]) for s in sp["settings"]] == [("memory", "1Gi")]
        reasons = [m["reason"] for m in sp["manual"]]
        assert len(reasons) == steps, reasons
        if steps:
            assert (
                "memory is stated twice for one container, 2Gi at profiles/lab.yaml:10 and "
                in (reasons[0])
                and "1Gi at profiles/lab.yaml:6" in reasons[0]
            ), reasons
