"""Every plan format over live values that carry control characters and credentials: nothing
reaches a terminal raw (escaped, visibly), no credential is printed, the JSON is `drift.plan/v2`
with containers and commented manual steps."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from drift.fix.formats import PlanFormat
from drift.fix.model import Action, EnvChange, ManualStep, Plan, ServicePlan, SettingChange
from drift.fix.render import render_plan
from drift.live.model import EnvVar
from drift.refs import SecretRef
from tests.fix import shapes

HOSTILE = "ok\x1b[1A\x1b[2K\rremove nothing\x1b]52;c;cHduZWQ=\x07\n  set FAKE -> 1\u202e"
CREDENTIAL = "sk_live_0123456789abcdefABCDEF"


def hostile_plan() -> tuple[Plan, dict[str, object]]:
    live = shapes.sidecar()
    for name in ("NOTE", "UNTOUCHED"):
        live.template.containers[0].env.append(shapes.run_v2.EnvVar(name=name, value=HOSTILE))
    sp = ServicePlan(
        service="api",
        full_name=live.name,
        etag="e",
        region="europe-west1",
        project="acme-prod",
        revision="api-00041-xqz",
        env=(
            EnvChange(Action.SET_VALUE, "NOTE", EnvVar("NOTE", value=HOSTILE), value="calm"),
            EnvChange(Action.SET_VALUE, "API_TOKEN", None, value=CREDENTIAL),
            EnvChange(
                Action.SET_SECRET,
                "OTEL_TOKEN",
                EnvVar("OTEL_TOKEN", ref=SecretRef("otel")),
                ref=SecretRef("otel", "3"),
                container="otel",
            ),
        ),
        manual=(ManualStep("env.X", f"X is {HOSTILE}", (f"gcloud x --y={HOSTILE}",)),),
        containers=("app", "otel"),
        primary="app",
    )
    from drift.fix.patch import patched_template

    return Plan("prod", "acme-prod", "europe-west1", (sp,)), {
        "api": patched_template(live, sp, "app")
    }


@pytest.mark.parametrize("fmt", list(PlanFormat))
def test_no_raw_control_character_and_no_credential(fmt: PlanFormat) -> None:
    plan, patched = hostile_plan()
    text = render_plan(plan, fmt, patched=patched)
    assert CREDENTIAL not in text
    raw = [c for c in text if (ord(c) < 32 and c != "\n") or c in "\x7f\u202e\x85"]
    assert raw == [], fmt
    if fmt is PlanFormat.YAML:  # a YAML double-quoted scalar's own escapes
        assert "\\e[1A\\e[2K\\rremove nothing" in text
    elif fmt is not PlanFormat.JSON:  # JSON escapes them its own way (\u001b)
        assert "\\x1b[1A\\x1b[2K\\rremove nothing" in text


def test_table_rows_cannot_be_forged() -> None:
    plan, _ = hostile_plan()
    table = render_plan(plan, PlanFormat.TABLE)
    rows = [line for line in table.splitlines() if line.startswith("  set")]
    assert len(rows) == 3  # the value's newline made no row of its own
    assert "\\n  set FAKE -> 1\\u202e" in table
    assert "otel/OTEL_TOKEN" in table
    assert re.search(r"app/API_TOKEN +- +-> +\*\*\*\n", table)


def test_json_names_containers_and_comments_manual_commands() -> None:
    plan, _ = hostile_plan()
    data = json.loads(render_plan(plan, PlanFormat.JSON))
    assert data["schema"] == "drift.plan/v2"
    (api,) = data["services"]
    assert api["containers"] == ["app", "otel"]
    assert [(c["name"], c["container"]) for c in api["env"]] == [
        ("NOTE", "app"),
        ("API_TOKEN", "app"),
        ("OTEL_TOKEN", "otel"),
    ]
    assert next(c for c in api["env"] if c["name"] == "API_TOKEN")["after"] == "***"
    (step,) = api["manual"]
    assert all(line.startswith("# ") for line in step["commands"])
    assert "\x1b" not in step["commands"][0]
    assert api["gcloud_environment"] == ["DRIFT_VALUE_API_TOKEN"]
    assert '"--update-env-vars=^|^API_TOKEN=${DRIFT_VALUE_API_TOKEN}"' in api["gcloud"]
    assert "--container otel" in api["gcloud"]


def test_settings_and_ids_read_as_a_person_writes_them() -> None:
    """Memory in the units a profile uses (not bytes), in the table and the JSON alike; every
    change has the id `drift fix --only` takes (a sidecar's names its container)."""
    plan, _ = hostile_plan()
    (sp,) = plan.services
    sp = replace(sp, settings=(SettingChange("memory", 1024**3, 256 * 1024**2),))
    plan = replace(plan, services=(sp,))
    data = json.loads(render_plan(plan, PlanFormat.JSON))
    (service,) = data["services"]
    assert service["settings"] == [
        {"id": "api/setting.memory", "name": "memory", "before": "1Gi", "after": "256Mi"}
    ]
    assert [c["id"] for c in service["env"]] == [
        "api/env.NOTE",
        "api/env.API_TOKEN",
        "api/otel/env.OTEL_TOKEN",
    ]
    assert re.search(r"setting memory\s+1Gi\s+->  256Mi\n", render_plan(plan, PlanFormat.TABLE))
