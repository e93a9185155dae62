"""A service's scaling that Terraform only knows once it applies: the bounds drift compares
depend on the mode and, in MANUAL mode, on the manual count (run v2 ServiceScaling:
"MANUAL: Scale to exactly min instances and ignore max instances"; manual_instance_count).
Neither is judged from a value that is not in the plan, and neither is clean."""

from __future__ import annotations

import json
from pathlib import Path

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan


def test_a_manual_instance_count_not_known_until_apply_is_not_judged(tmp_path: Path) -> None:
    """MANUAL, with `manual_instance_count` from another resource: no finding says "manual
    scaling with 0 instances" (a count the plan does not hold); min and max are unverified."""
    data = plan()
    api = known_api(data)
    c = api["change"]
    c["after"]["scaling"] = [
        {"scaling_mode": "MANUAL", "min_instance_count": 0, "max_instance_count": 0}
    ]
    c["after_unknown"] = {"scaling": [{"manual_instance_count": True}]}
    data["resource_changes"] = [api]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    assert not [f for f in doc["findings"] if "instances" in f["target"]], doc["findings"]
    assert {"setting.min_instances", "setting.max_instances"} <= {
        u["target"] for u in doc["unverified"]
    }, doc["unverified"]
    assert done.returncode == 3


def test_a_scaling_mode_not_known_until_apply_is_never_clean(tmp_path: Path) -> None:
    """The mode unknown (it may be MANUAL, where max is ignored): bounds that match the
    profile do not make the run clean."""
    data = plan()
    api = known_api(data)
    c = api["change"]
    c["after"]["scaling"] = [
        {"min_instance_count": 1, "max_instance_count": 20, "manual_instance_count": 3}
    ]
    c["after_unknown"] = {"scaling": [{"scaling_mode": True}]}
    data["resource_changes"] = [api]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    assert done.returncode == 3 and json.loads(done.stdout)["status"] != "clean", done.stdout
