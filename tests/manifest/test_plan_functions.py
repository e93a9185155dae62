"""A Cloud Functions (2nd gen) function in a Terraform plan runs on a Cloud Run service of its
own (`service_config.service`, named as the function): a profile's service a
`google_cloudfunctions2_function` deploys is not verified, never left out as if the plan did not
hold it, and one it destroys is missing (helper-698 F1: the plan's `web` was not said at all,
and the run clean on `api`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

WITH_WEB = API_ONLY + "  web:\n    env: {LOG_LEVEL: INFO}\n"
FUNCTION = "google_cloudfunctions2_function.web"


def _function(name: str, service: str | None, actions: list[str]) -> dict[str, Any]:
    """`google_cloudfunctions2_function.web` named `name`, on Cloud Run service `service` (None:
    not known until apply, as on create)."""
    config: dict[str, Any] = {"environment_variables": {"LOG_LEVEL": "DEBUG"}}
    if service is not None:
        config["service"] = f"projects/acme-chat-staging/locations/us-central1/services/{service}"
    value = {"name": name, "project": "acme-chat-staging", "location": "us-central1",
             "service_config": [config]}  # fmt: skip
    deleted = actions == ["delete"]
    return {
        "address": FUNCTION,
        "mode": "managed",
        "type": "google_cloudfunctions2_function",
        "name": "web",
        "change": {
            "actions": actions,
            "before": value if actions != ["create"] else None,
            "after": None if deleted else value,
            "after_unknown": {} if service is not None else {"service_config": [{"service": True}]},
        },
    }


def _plan(function: dict[str, Any]) -> dict[str, Any]:
    """The repository's plan with api known (clean against API_ONLY) and `function` beside."""
    data = plan()
    data["resource_changes"] = [known_api(data), function]
    return data


@pytest.mark.parametrize(
    ("name", "service", "actions"),
    [("web", "web", ["update"]), ("web", None, ["create"]), ("fn-web", "web", ["no-op"])],
)
def test_a_profiled_service_a_function_deploys_is_not_verified(
    tmp_path: Path, name: str, service: str | None, actions: list[str]
) -> None:
    """By the service the plan names, else (being created) by the function's own name."""
    data = _plan(_function(name, service, actions))
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 3, report  # was: clean, exit 0, web not said
    (unverified,) = report["unverified"]
    assert (unverified["service"], unverified["target"]) == ("web", "service")
    assert FUNCTION in unverified["reason"] and "Cloud Functions" in unverified["reason"]
    assert report["summary"]["services"] == 2


def test_a_profiled_service_a_function_destroys_is_missing(tmp_path: Path) -> None:
    data = _plan(_function("web", "web", ["delete"]))
    done = check_offline(tmp_path, data, WITH_WEB, "-f", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 1, report
    (finding,) = report["findings"]
    assert (finding["rule"], finding["service"]) == ("service.missing", "web")
    assert FUNCTION in finding["message"]


def test_a_function_the_profile_does_not_list_is_not_said(tmp_path: Path) -> None:
    """A plan of many functions beside the profile's services: none of them is a note."""
    data = _plan(_function("other", "other", ["update"]))
    done = check_offline(tmp_path, data, WITH_WEB.replace("  web:", "  www:"), "-f", "json")
    assert done.returncode == 0, done.stdout
    assert "cloudfunctions2" not in done.stdout + done.stderr
