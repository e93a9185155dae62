"""A container's startup order in a Terraform plan (`containers { depends_on = ["otel"] }`,
google_cloud_run_v2_service): judged as the live one is, and not judged where Terraform does
not know it until apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.manifest.test_terraform_sidecars import check_plan, terraform_plan
from tests.test_check_sidecars import APP_INGRESS, OTEL, world


def _profiles(tmp_path: Path, order: str) -> Path:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\nservices:\n  shop:\n"
        f"    settings:\n      depends_on: {order}\n"
    )
    return profiles


@pytest.mark.parametrize(
    ("order", "marks", "found", "unverified"),
    [
        ("[otel]", {}, [], []),
        ("none", {}, [("setting.depends_on", "none", "otel")], []),
        ("[otel]", {"depends_on": True}, [], ["setting.depends_on"]),
    ],
)
def test_a_planned_order_is_judged_unless_unknown(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    order: str,
    marks: dict[str, Any],
    found: list[tuple[str, str, str]],
    unverified: list[str],
) -> None:
    sandbox = make_sandbox(world(APP_INGRESS, OTEL))
    plan = terraform_plan([{"container_port": 8080}], {"ports": [{"name": True}], **marks})
    done, doc, _ = check_plan(sandbox, _profiles(tmp_path, order), plan, tmp_path)
    # (the sidecar's secret, which the plan's runtime account cannot read, is a finding too)
    settings = [f for f in doc["findings"] if f["target"].startswith("setting.")]
    assert [(f["target"], f["expected"], f["actual"]) for f in settings] == found, doc
    assert [u["target"] for u in doc["unverified"]] == unverified, doc["unverified"]
