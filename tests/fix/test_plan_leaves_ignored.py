"""What the profile's `ignore:` silences is the team's known exception, not drift to repair
behind its back (helper-548): `drift check` is clean, and `plan`/`fix` used to plan it
anyway — an on-call `drift fix` reset the ignored variable and the sidecar's ignored memory.
Now each is left as it is, the plan saying why (with the entry's reason), and an entry that
expired brings it back into the plan."""

from __future__ import annotations

import json
from pathlib import Path

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import otel_of, profile, run, world

RULES = profile("        settings:\n          memory: 1Gi\n", app="    env:\n      MODE: other\n")


def _ignoring(until: str) -> str:
    return RULES + (
        "ignore:\n"
        f"  - {{service: app, env: MODE, reason: OPS-42, until: {until}}}\n"
        f"  - {{service: app, setting: memory, container: otel, reason: OPS-43, until: {until}}}\n"
    )


def test_what_an_ignore_silences_is_left_as_it_is(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(world())
    text = _ignoring("2999-12-31")
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 0
    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert sp["env"] == [] and sp["settings"] == []
    reasons = sorted(m["reason"] for m in sp["manual"])
    assert reasons == [
        "env.MODE left as it is: the profile's ignore silences it (OPS-42); drift fix repairs "
        "it once that entry is removed or expires",
        "setting.memory in otel left as it is: the profile's ignore silences it (OPS-43); "
        "drift fix repairs it once that entry is removed or expires",
    ]
    before = reseedable.service(LAB, "app").template
    run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert reseedable.service(LAB, "app").template == before


def test_an_expired_ignore_is_planned_again(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(world())
    text = _ignoring("2020-01-01")
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    template = reseedable.service(LAB, "app").template
    assert otel_of(template).resources.limits["memory"] == "1Gi"
    app = next(c for c in template.containers if c.name == "app")
    assert {e.name: e.value for e in app.env}["MODE"] == "other"
