"""A setting the service itself holds (`Service.ingress`, `invoker_iam_disabled`, the service's
own `scaling` min: google/cloud/run/v2/service.proto) was reported once per revision checked —
one more finding, with its own id, for a tag at 0 % — and the plan told the user to re-point or
remove that tag because "no patch of the service reaches" its revision, though the one
UpdateService of the plan repairs it for the tag's URL too (revroundtrip F1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.cloud import run_v2

from tests.fix.roundtrip_lab import IMAGE, NAME, lab, template

__all__ = ["lab"]

pytestmark = pytest.mark.sandbox

TAGGED = {
    "template": template(),
    "ingress": "internal-and-cloud-load-balancing",
    "history": [{"image": f"{IMAGE}:old"}],
    "traffic": [{"latest": True, "percent": 100}, {"revision": 1, "percent": 0, "tag": "e2e"}],
}


def _change(setting: str) -> Any:
    def change(service: Any) -> None:
        if setting == "ingress":
            service.ingress = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY
        elif setting == "invoker_iam_disabled":
            service.invoker_iam_disabled = True
        else:
            service.scaling.min_instance_count = 2

    return change


@pytest.mark.parametrize("setting", ["ingress", "invoker_iam_disabled", "min_instances"])
def test_a_service_level_setting_is_one_finding_and_no_tag_step(lab: Any, setting: str) -> None:
    """One finding for the service (the id it has without a tag), no `tag.e2e` step; the
    fix's one UpdateService leaves the check clean, the tag still in place."""
    one = lab(TAGGED)
    one.hand(_change(setting))
    report = json.loads(one.cli("check", "prod", "--format", "json", "--no-history").stdout)
    found = [(f["rule"], f["target"], f.get("tag")) for f in report["findings"]]
    assert found == [("setting.value", f"setting.{setting}", None)], found
    plan = one.cli("plan", "prod")
    assert "tag.e2e" not in plan.stdout, plan.stdout
    assert one.cli("fix", "prod", "--yes").returncode == 0
    assert one.cli("check", "prod", "--no-history").returncode == 0
    traffic = one.services.get_service(name=NAME).traffic
    assert [t.tag for t in traffic if t.tag] == ["e2e"]


def test_a_split_names_a_service_level_setting_once(lab: Any) -> None:
    """Traffic split over two revisions: the service's ingress is one finding, not "also on"
    the other revision (it is neither revision's)."""
    one = lab(
        {
            "template": template(),
            "history": [{"image": f"{IMAGE}:old"}],
            "traffic": [{"latest": True, "percent": 50}, {"revision": 1, "percent": 50}],
        }
    )
    one.hand(_change("ingress"))
    report = json.loads(one.cli("check", "prod", "--format", "json", "--no-history").stdout)
    found = [f for f in report["findings"] if f["target"] == "setting.ingress"]
    assert len(found) == 1 and "also_on" not in found[0], found
