"""What the profile's `ignore:` silences is the team's known exception, not drift to repair
behind its back (helper-548): `drift check` is clean, and `plan`/`fix` used to plan it
anyway — an on-call `drift fix` reset the ignored variable and the sidecar's ignored memory.
Now each is left as it is, the plan saying why (with the entry's reason), and an entry that
expired brings it back into the plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.fix.conftest import LAB, lab_world
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


# helper-549 F1, F2: what is left is left before anything is judged on the patch
OLD = f"old@{LAB}.iam.gserviceaccount.com"
NEW = f"new@{LAB}.iam.gserviceaccount.com"
HEAD = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"


def _lab(template: dict[str, Any], secrets: dict[str, Any] | None = None) -> dict[str, Any]:
    world = lab_world(template={"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, **template})
    world["projects"][LAB]["secrets"] = secrets or {}
    return world


def test_an_ignored_account_change_leaves_the_secret_judged_for_the_account_that_runs(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    secrets = {
        "tok": {
            "versions": ["fake-tok-v1-0a1b2c3d"],
            # only the profile's account may read it; the one that runs (OLD) may not
            "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{NEW}"]},
        }
    }
    reseedable.reset(_lab({"service_account": OLD, "env": {"MODE": "live"}}, secrets))
    profile = (
        HEAD
        + f"    settings:\n      service_account: {NEW}\n"
        + "    env:\n      MODE: live\n      TOKEN: {secret: tok}\n"
        + "ignore:\n  - {service: app, setting: service_account, reason: OPS-1}\n"
    )
    done = drift_on(reseedable, tmp_path, ("lab", profile), "plan", "lab", "--format", "json")
    (sp,) = json.loads(done.stdout)["services"]
    # the account stays OLD (ignored), and OLD cannot read tok: referencing it makes a
    # revision Cloud Run refuses (SECRETS_ACCESS_CHECK_FAILED) — a grant step, not a change
    assert [c["name"] for c in sp["env"]] == [], sp["env"]
    assert any(OLD in m["reason"] for m in sp["manual"]), sp["manual"]


def test_an_ignored_cpu_is_not_what_the_cpu_rules_judge(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    reseedable.reset(
        _lab(
            {
                "cpu": "500m",
                "memory": "512Mi",
                "concurrency": 1,
                "cpu_throttling": True,
                "execution_environment": "gen1",
            }
        )
    )
    profile = (
        HEAD
        + '    settings:\n      cpu: "1"\n      concurrency: 80\n'
        + "ignore:\n  - {service: app, setting: cpu, reason: OPS-9}\n"
    )
    done = drift_on(reseedable, tmp_path, ("lab", profile), "fix", "lab", "--dry-run")
    # cpu stays 0.5 (ignored): concurrency 80 at 0.5 CPU is refused by Cloud Run; drift's own
    # floor_steps would have made it a manual step had it judged the patch actually written
    assert "INVALID_ARGUMENT" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert done.returncode != 2, done.stdout + done.stderr


def test_only_naming_what_an_ignore_left_says_so(reseedable: Sandbox, tmp_path: Path) -> None:
    """helper-549: `--only` naming a change the ignore left out said only "no change … in the
    plan"; it names the ignore now, and nothing is written."""
    reseedable.reset(world())
    before = reseedable.service(LAB, "app").template
    for change in ("app/env.MODE", "app/otel/setting.memory"):
        done = run(
            reseedable, tmp_path, _ignoring("2999-12-31"), "fix", "lab", "--yes", "--only", change
        )
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"--only: {change} left as it is: the profile's ignore silences it" in done.stderr
    assert reseedable.service(LAB, "app").template == before


def test_an_ignored_pattern_or_blocked_setting_is_no_step_to_take(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """A setting the plan cannot patch (an image stated by a pattern, on the app or a sidecar;
    a VPC egress with no VPC access to apply it to) was still a manual step telling the
    operator to deploy it when the profile's ignore silenced it; it is left as the rest is."""
    reseedable.reset(world())
    rules = profile(
        '        settings:\n          image: {pattern: "^nomatch"}\n',
        app='    settings:\n      image: {pattern: "^nomatch"}\n      vpc_egress: all-traffic\n',
    )
    entries = [
        "{service: app, setting: image, container: app, reason: OPS-1}",
        "{service: app, setting: image, container: otel, reason: OPS-2}",
        "{service: app, setting: vpc_egress, reason: OPS-3}",
    ]
    for silenced in range(len(entries) + 1):
        text = rules + "".join(
            "ignore:\n" * (i == 0) + f"  - {e}\n" for i, e in enumerate(entries[:silenced])
        )
        plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
        (sp,) = plan["services"]
        left = [m["reason"] for m in sp["manual"] if "ignore silences it" in m["reason"]]
        steps = [m["reason"] for m in sp["manual"] if m["reason"] not in left]
        assert len(left) == silenced, sp["manual"]
        assert len(steps) == len(entries) - silenced, sp["manual"]
        said = {why for why in ("OPS-1", "OPS-2", "OPS-3") for r in left if f"({why})" in r}
        assert said == {f"OPS-{i + 1}" for i in range(silenced)}, left
