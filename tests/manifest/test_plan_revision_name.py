"""A plan that keeps the template's fixed revision name (`template.revision`) while it changes
the template: the revision of that name exists (Terraform's refreshed `before`) with another
configuration, and Cloud Run refuses the deploy (RevisionTemplate.revision: "The unique name
for the revision", run v2 revision_template.proto). check --manifest says so as an error
(revtf66 "Noted"); a change Terraform does not know yet may be the same configuration (which
Cloud Run may reuse): not said."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan


def checked(tmp: Path, before_image: str, *, unknown_image: bool = False) -> Any:
    """api at revision api-v7 (before and after), its image `before_image` before."""
    data = plan()
    api = known_api(data)
    change = api["change"]
    change["after"]["template"][0]["revision"] = "api-v7"
    change["before"] = copy.deepcopy(change["after"])
    change["before"]["template"][0]["containers"][0]["image"] = before_image
    if unknown_image:
        change["after"]["template"][0]["containers"][0].pop("image")
        change["before"]["template"][0]["containers"][0]["image"] = "old:1"
        change["after_unknown"] = {"template": [{"containers": [{"image": True}]}]}
    data["resource_changes"] = [api]
    return check_offline(tmp, data, API_ONLY, "-f", "json")


def test_a_kept_revision_name_with_another_configuration_is_an_error(tmp_path: Path) -> None:
    done = checked(tmp_path, "old:1")
    assert done.returncode == 1, (done.stdout, done.stderr)
    [finding] = json.loads(done.stdout)["findings"]
    assert (finding["rule"], finding["target"], finding["severity"]) == (
        "revision.rollout",
        "revision.api-v7",
        "error",
    )
    assert "change template.revision, or drop it" in finding["message"]


def test_the_same_configuration_or_one_not_known_yet_is_not_said(tmp_path: Path) -> None:
    data = plan()
    image = known_api(data)["change"]["after"]["template"][0]["containers"][0]["image"]
    for done in (checked(tmp_path, image), checked(tmp_path, "", unknown_image=True)):
        report = json.loads(done.stdout)
        assert [f["rule"] for f in report["findings"]] == [], done.stdout


def test_a_revision_name_without_the_services_prefix_is_not_verified(tmp_path: Path) -> None:
    """Knative refuses a revision name that does not start with the service's name and "-"
    (`drift.manifest.refused.unprefixed`): the apply may be refused, nothing is verified."""
    data = plan()
    api = known_api(data)
    api["change"]["after"]["template"][0]["revision"] = "web-v7"
    data["resource_changes"] = [api]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    assert done.returncode == 3, (done.returncode, done.stdout)
    [unverified] = json.loads(done.stdout)["unverified"]
    assert unverified["target"] == "service", unverified
    assert "the revision name web-v7 does not start with api-" in unverified["reason"]
    data["resource_changes"][0]["change"]["after"]["template"][0]["revision"] = "api-v8"
    assert check_offline(tmp_path, data, API_ONLY, "-f", "json").returncode == 0
