"""A sidecar's own settings (`containers: {otel: {settings: …}}`) judged on a Terraform plan
before apply: the planned collector image is compared as live's is, and an image Terraform
cannot tell yet (`after_unknown`: an image built by the same apply) leaves that setting
unverified — never a finding on a placeholder, never clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import MakeSandbox
from tests.manifest.test_terraform_sidecars import check_plan, terraform_plan
from tests.test_check_sidecars import APP_INGRESS, OTEL, world

PINNED = "otel/opentelemetry-collector-contrib:0.105.0"


def _profiles(tmp_path: Path) -> Path:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\nservices:\n  shop:\n    containers:\n"
        f"      otel:\n        settings:\n          image: {PINNED}\n          memory: 512Mi\n"
    )
    return profiles


def _plan() -> dict[str, Any]:
    """The plan of `shop` with the collector's secret left out (nothing but its settings to
    judge: the default compute account reads no secret here)."""
    plan = terraform_plan([{"container_port": 8080}], {})
    otel = plan["resource_changes"][0]["change"]["after"]["template"][0]["containers"][1]
    otel["env"] = [e for e in otel["env"] if not e["value_source"]]
    return plan


def test_the_planned_sidecar_image_is_judged(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(world(APP_INGRESS, OTEL))
    plan = _plan()
    done, doc, seen = check_plan(sandbox, _profiles(tmp_path), plan, tmp_path)
    assert seen == {("setting.value", "setting.image", "otel")}, doc
    (finding,) = doc["findings"]
    assert finding["actual"] == OTEL["image"] and finding["expected"] == PINNED
    assert done.returncode == 1


def test_an_image_not_known_until_apply_is_unverified(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(APP_INGRESS, OTEL))
    plan = _plan()
    change = plan["resource_changes"][0]["change"]
    change["after"]["template"][0]["containers"][1]["image"] = None
    change["after_unknown"]["template"][0]["containers"][1] = {"image": True}
    done, doc, seen = check_plan(sandbox, _profiles(tmp_path), plan, tmp_path)
    assert seen == set(), doc["findings"]
    assert [u["target"] for u in doc["unverified"]] == ["setting.image"]
    assert done.returncode == 3


def test_the_apps_unknown_limits_leave_the_sidecars_judged(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-548 F4: the app's limits not known until apply are the app's: the collector's
    memory (512Mi, as the plan gives it without resources) is judged, not unverified; an
    unknown of the collector's own leaves the app's memory judged likewise."""
    sandbox = make_sandbox(world(APP_INGRESS, OTEL))
    plan = _plan()
    change = plan["resource_changes"][0]["change"]
    containers = change["after"]["template"][0]["containers"]
    containers[0]["resources"] = [{"limits": None, "cpu_idle": True}]
    change["after_unknown"]["template"][0]["containers"][0] = {"resources": [{"limits": True}]}
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\nservices:\n  shop:\n    containers:\n"
        "      otel:\n        settings:\n          memory: 512Mi\n"
    )
    done, doc, seen = check_plan(sandbox, profiles, plan, tmp_path)
    assert (doc["unverified"], seen, done.returncode) == ([], set(), 0)

    containers[0]["resources"] = [{"limits": {"memory": "512Mi"}, "cpu_idle": True}]
    containers[1]["resources"] = [{"limits": None}]
    change["after_unknown"]["template"][0]["containers"] = [{}, {"resources": [{"limits": True}]}]
    (profiles / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\nservices:\n  shop:\n    settings:\n"
        "      memory: 512Mi\n"
    )
    done, doc, seen = check_plan(sandbox, profiles, plan, tmp_path)
    assert [u["target"] for u in doc["unverified"]] == [] and seen == set(), doc
