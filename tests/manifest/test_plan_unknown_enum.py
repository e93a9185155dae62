"""An enum value in a plan that drift's Cloud Run client does not know (a newer provider or API
has values its protos do not): the setting it is part of is not verified, never read as the
API's default (helper-560 F2: `ingress = "INGRESS_TRAFFIC_SOMETHING_NEW"` was read as `all`,
"no drift", exit 0, where the Knative reader refuses a word it does not know)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, change_of, check_offline, known_api, plan

NEW = "INGRESS_TRAFFIC_SOMETHING_NEW"
PROFILE = API_ONLY.replace(
    "max_instances: 20}", "max_instances: 20, ingress: all, execution_environment: gen2}"
)
ADDRESS = "google_cloud_run_v2_service.api"


def _plan() -> dict[str, Any]:
    data = plan()
    data["resource_changes"] = [known_api(data)]
    after = change_of(data, ADDRESS)["change"]["after"]
    after["ingress"], after["template"][0]["execution_environment"] = (
        "INGRESS_TRAFFIC_ALL",
        "EXECUTION_ENVIRONMENT_GEN2",
    )
    return data


def _unverified(done: Any) -> dict[str, str]:
    return {u["target"]: u["reason"] for u in json.loads(done.stdout)["unverified"]}


def test_the_plan_as_drift_knows_it_is_clean(tmp_path: Path) -> None:
    done = check_offline(tmp_path, _plan(), PROFILE)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("setting", "at", "path"),
    [
        ("ingress", (), ".ingress"),
        ("execution_environment", ("template", 0), ".template[0].execution_environment"),
    ],
)
def test_a_value_drift_does_not_know_leaves_its_setting_unverified(
    tmp_path: Path, setting: str, at: tuple[Any, ...], path: str
) -> None:
    data = _plan()
    where = change_of(data, ADDRESS)["change"]["after"]
    for step in at:
        where = where[step]
    where[setting] = NEW
    done = check_offline(tmp_path, data, PROFILE, "-f", "json")
    assert done.returncode == 3, done.stdout
    reason = _unverified(done)[f"setting.{setting}"]
    assert f"'{NEW}' is a value drift's Cloud Run client does not know" in reason
    assert reason.endswith(f"plan.json: resource_changes[0].change.after{path})")


def test_a_sensitive_value_drift_does_not_know_is_not_said(tmp_path: Path) -> None:
    data = _plan()
    change = change_of(data, ADDRESS)["change"]
    change["after"]["ingress"] = NEW
    change["after_sensitive"] = {"ingress": True}
    for fmt in ("json", "table", "github", "markdown", "sarif"):
        done = check_offline(tmp_path, data, PROFILE, "-f", fmt)
        assert done.returncode == 3, (fmt, done.stdout)
        assert NEW not in done.stdout + done.stderr, fmt
    reason = _unverified(check_offline(tmp_path, data, PROFILE, "-f", "json"))["setting.ingress"]
    assert reason.startswith("its value is a value drift's Cloud Run client does not know")


def test_a_traffic_type_drift_does_not_know_leaves_the_split_unsaid(tmp_path: Path) -> None:
    """A TrafficTarget's `type` decides what it routes (latest or a named revision): one drift
    does not know leaves the split unread, as a split not known until apply."""
    data = _plan()
    change_of(data, ADDRESS)["change"]["after"]["traffic"][0]["type"] = "TRAFFIC_NEW"
    done = check_offline(tmp_path, data, PROFILE, "-f", "json")
    notes = json.loads(done.stdout)["notes"]
    assert any(
        "its traffic split is not known until apply" in n
        and "resource_changes[0].change.after.traffic[0].type" in n
        for n in notes
    ), notes
