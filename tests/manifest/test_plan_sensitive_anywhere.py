"""A value a Terraform plan marks sensitive anywhere is never shown where a workload holds it
unmarked: in a Cloud Run workload's own `before_sensitive` (an old password pasted into a plain
variable while rotating it), its `resource_drift`, a workload the plan defers, destroys or only
reads (a data source), a resource's `sensitive_values` in `prior_state` or `planned_values`, an
output `sensitive` there, an action invocation's `config_sensitive` (Terraform 1.14). Terraform
writes each beside the value in plain text (developer.hashicorp.com/terraform/internals/
json-format: "before_sensitive and after_sensitive are object values with similar structure to
before and after"; a values representation's `sensitive_values`, "the sensitivity of the
resource's attribute values"). Only a non-workload's changes, outputs' changes and variables
were read: each was printed whole in every format (helper-776, helper-778 F5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, check_written, known_api, plan

VALUE = "rotated out yellow 99887766"
STRICT = API_ONLY + "    unexpected_env: error\n"
FORMATS = ["table", "json", "github", "sarif", "markdown"]
SERVICE = "google_cloud_run_v2_service"


def _with_greeting() -> tuple[dict[str, Any], dict[str, Any]]:
    """The repository's plan, api known with GREETING holding VALUE unmarked: (plan, api)."""
    data = plan()
    api = known_api(data)
    api["change"]["after"]["template"][0]["containers"][0]["env"].append(
        {"name": "GREETING", "value": VALUE, "value_source": []}
    )
    data["resource_changes"] = [api]
    return data, api


def _holding(name: str) -> dict[str, Any]:
    """A service's values whose only variable OLD_PASSWORD holds VALUE."""
    env = [{"name": "OLD_PASSWORD", "value": VALUE, "value_source": []}]
    template = [{"containers": [{"image": "old:1", "env": env}]}]
    return {"name": name, "project": "acme-chat-staging", "location": "us-central1",
            "template": template}  # fmt: skip


MARKS = {"template": [{"containers": [{"env": [{"value": True}]}]}]}
"""The marks of `_holding`'s VALUE."""


def _resource(address: str, change: dict[str, Any], mode: str = "managed") -> dict[str, Any]:
    kind, name = address.removeprefix("data.").split(".")
    return {"address": address, "mode": mode, "type": kind, "name": name, "change": change}


def _state(address: str, values: Any, marks: Any) -> dict[str, Any]:
    kind, name = address.split(".")
    return {"address": address, "mode": "managed", "type": kind, "name": name,
            "values": values, "sensitive_values": marks}  # fmt: skip


def _own_before(data: dict[str, Any], api: dict[str, Any]) -> None:
    api["change"]["before"] = _holding("api")
    api["change"]["before_sensitive"] = MARKS


def _drift(data: dict[str, Any], api: dict[str, Any]) -> None:
    before = {"actions": ["update"], "before": _holding("api"), "before_sensitive": MARKS,
              "after": _holding("api") | {"template": []}, "after_sensitive": {}}  # fmt: skip
    data["resource_drift"] = [_resource(api["address"], before)]


def _deferred(data: dict[str, Any], api: dict[str, Any]) -> None:
    change = {"actions": ["create"], "before": None, "after": _holding("late"),
              "after_unknown": {}, "after_sensitive": MARKS}  # fmt: skip
    late = _resource(f"{SERVICE}.late", change)
    data["deferred_changes"] = [{"reason": "resource_config_unknown", "resource_change": late}]


def _destroyed(data: dict[str, Any], api: dict[str, Any]) -> None:
    change = {"actions": ["delete"], "before": _holding("old"), "before_sensitive": MARKS,
              "after": None, "after_sensitive": False}  # fmt: skip
    data["resource_changes"].append(_resource(f"{SERVICE}.old", change))


def _data_source(data: dict[str, Any], api: dict[str, Any]) -> None:
    change = {"actions": ["read"], "before": None, "after": _holding("legacy"),
              "after_unknown": {}, "after_sensitive": MARKS}  # fmt: skip
    data["resource_changes"].append(_resource(f"data.{SERVICE}.legacy", change, "data"))


def _prior_workload(data: dict[str, Any], api: dict[str, Any]) -> None:
    api_state = _state(api["address"], _holding("api"), MARKS)
    module = {"address": "module.svc", "resources": [api_state]}
    data["prior_state"] = {"values": {"root_module": {"child_modules": [module]}}}


def _prior_resource(data: dict[str, Any], api: dict[str, Any]) -> None:
    version = _state("google_secret_manager_secret_version.old", {"secret_data": VALUE}, True)
    data["prior_state"] = {"values": {"root_module": {"resources": [version]}}}


def _planned_resource(data: dict[str, Any], api: dict[str, Any]) -> None:
    marks = {"secret_data": True}
    version = _state("google_secret_manager_secret_version.db", {"secret_data": VALUE}, marks)
    data["planned_values"] = {"root_module": {"resources": [version]}}


def _prior_output(data: dict[str, Any], api: dict[str, Any]) -> None:
    outputs = {"db_password": {"sensitive": True, "value": VALUE, "type": "string"}}
    data["prior_state"] = {"values": {"outputs": outputs}}


def _planned_output(data: dict[str, Any], api: dict[str, Any]) -> None:
    data["planned_values"] = {"outputs": {"db": {"sensitive": True, "value": [VALUE]}}}


def _invocation() -> dict[str, Any]:
    """A Terraform 1.14 action invoked with VALUE in its configuration, marked."""
    return {"address": "action.http_post.notify", "type": "http_post", "name": "notify",
            "config_values": {"url": "https://hooks.example", "token": VALUE},
            "config_sensitive": {"token": True}, "config_unknown": {},
            "invoke_action_trigger": {}}  # fmt: skip


def _action(data: dict[str, Any], api: dict[str, Any]) -> None:
    data["action_invocations"] = [_invocation()]


def _deferred_action(data: dict[str, Any], api: dict[str, Any]) -> None:
    deferred = {"reason": "resource_config_unknown", "action_invocation": _invocation()}
    data["deferred_action_invocations"] = [deferred]


WHERE = {
    "workload's own before": _own_before,
    "workload's resource_drift": _drift,
    "workload deferred": _deferred,
    "workload destroyed": _destroyed,
    "workload data source": _data_source,
    "prior_state workload": _prior_workload,
    "prior_state resource": _prior_resource,
    "planned_values resource": _planned_resource,
    "prior_state output": _prior_output,
    "planned_values output": _planned_output,
    "action_invocations": _action,
    "deferred_action_invocations": _deferred_action,
}


def _plan(where: str) -> dict[str, Any]:
    data, api = _with_greeting()
    WHERE[where](data, api)
    return data


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("where", WHERE)
def test_a_value_the_plan_marks_anywhere_is_shown_in_no_format(
    tmp_path: Path, where: str, fmt: str
) -> None:
    done, written = check_written(tmp_path, _plan(where), STRICT, fmt)
    assert done.returncode in (1, 3), done.stderr  # 3: a deferred workload is not verified
    assert "GREETING" in written  # env.unexpected, as before
    assert VALUE not in done.stdout + done.stderr + written


SHORT = "hunt3r!"


@pytest.mark.parametrize("where", ["workload's own before", "workload's resource_drift"])
def test_a_short_value_a_workload_marks_is_never_shown(tmp_path: Path, where: str) -> None:
    """A workload's marked value of fewer than `SEARCH_MIN` characters is registered too, as
    its `after`'s are: a variable's value is shown whole, and masked so."""
    text = json.dumps(_plan(where)).replace(VALUE, SHORT)
    done = check_offline(tmp_path, json.loads(text), STRICT, "-f", "json")
    assert done.returncode == 1, done.stderr
    assert "GREETING" in done.stdout and SHORT not in done.stdout + done.stderr


def test_a_value_no_mark_names_is_shown(tmp_path: Path) -> None:
    """The same value in the workload's `before`, unmarked, is no secret of the plan's."""
    data = _plan("workload's own before")
    data["resource_changes"][0]["change"]["before_sensitive"] = {}
    done = check_offline(tmp_path, data, STRICT, "-f", "json")
    assert VALUE in done.stdout


def test_a_workload_marked_whole_keeps_its_names_and_places(tmp_path: Path) -> None:
    """A workload's `before` marked as a whole (a module passing it through `sensitive`): its
    values are masked, but not its name, project, region or its variables' names, which every
    message shows (`plansecrets.IDENTIFIERS`, `PLACE`)."""
    data = _plan("workload's own before")
    api = data["resource_changes"][0]["change"]
    api["before"]["template"][0]["containers"][0]["env"][0]["name"] = "GREETING"
    api["before_sensitive"] = True
    done = check_offline(tmp_path, data, STRICT, "-f", "table")
    assert done.returncode == 1, done.stderr
    said = done.stdout + done.stderr
    assert VALUE not in said
    assert "GREETING" in said and "acme-chat-staging" in said and "us-central1" in said
    assert "\napi · manifest:" in said
