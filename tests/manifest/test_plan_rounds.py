"""What a Terraform plan says of itself beside its resources (terraform
`internal/command/jsonplan/plan.go`): `deferred_changes` (Terraform 1.8+ deferred actions: a
resource left to a later plan and apply, `resource_changes` does not hold it), `complete`
(false: planned with `-target` or with deferred changes: `plans.Plan.Complete`, "includes a
planned action (even if no-op) for every resource instance object … mentioned"), `errored`
and `format_version` ("Reject any input which reports an unsupported major version":
developer.hashicorp.com/terraform/internals/json-format). A workload the plan defers is not
verified, named by its address, never clean and never left out."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.conftest import problems_of, read
from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

CHAT = API_ONLY + "  chat:\n    settings: {min_instances: 1, max_instances: 20}\n"
"""api, clean in the plan; chat, the same service under another name."""


def _deferred(reason: str, change: dict[str, Any]) -> dict[str, Any]:
    return {"reason": reason, "resource_change": change}


def _chat(api: dict[str, Any], address: str = "google_cloud_run_v2_service.chat") -> Any:
    chat = copy.deepcopy(api)
    chat["address"], chat["name"] = address, address.rsplit(".", 1)[-1]
    chat["change"]["after"]["name"] = "chat"
    chat["change"].update(actions=["create"], before=None)  # a new one
    return chat


def _report(done: Any) -> dict[str, Any]:
    assert "Traceback" not in done.stderr, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_a_service_the_plan_defers_is_not_verified_never_left_out(tmp_path: Path) -> None:
    """chat deferred (its provider's configuration not known until apply): this plan does
    not deploy it, a later round will, with what this plan cannot tell; it was left out and
    the run said api's clean "no drift" (exit 0)."""
    data = plan()
    api = known_api(data)
    data["complete"] = False
    data["deferred_changes"] = [_deferred("provider_config_unknown", _chat(api))]
    done = check_offline(tmp_path, data, CHAT, "-f", "json")
    report = _report(done)
    assert done.returncode == 3, done.stdout
    assert not [f for f in report["findings"] if not f["ignored"]]
    (chat,) = [u for u in report["unverified"] if u["service"] == "chat"]
    assert "google_cloud_run_v2_service.chat" in chat["reason"]
    assert "deferred" in chat["reason"] and "provider_config_unknown" in chat["reason"]


def test_a_deferred_service_whose_name_is_not_known_may_be_any_of_the_profile(
    tmp_path: Path,
) -> None:
    """A `for_each` over a value not known yet (`instance_count_unknown`, the `[*]` address,
    `after` null): any service of the profile the plan does not otherwise hold may be one."""
    data = plan()
    known_api(data)
    data["complete"] = False
    nameless = {
        "address": 'module.edge.google_cloud_run_v2_service.svc["*"]',
        "mode": "managed",
        "type": "google_cloud_run_v2_service",
        "name": "svc",
        "index_unknown": True,
        "change": {"actions": ["create"], "before": None, "after": None, "after_unknown": True},
    }
    data["deferred_changes"] = [_deferred("instance_count_unknown", nameless)]
    report = _report(done := check_offline(tmp_path, data, CHAT, "-f", "json"))
    assert done.returncode == 3, done.stdout
    (chat,) = [u for u in report["unverified"] if u["service"] == "chat"]
    assert "module.edge.google_cloud_run_v2_service.svc" in chat["reason"]
    assert not [u for u in report["unverified"] if u["service"] == "api"]  # api is in it


def test_a_deferred_service_alone_is_not_verified_not_a_file_without_the_profile(
    tmp_path: Path,
) -> None:
    """The plan's only service of the profile deferred: not verified (exit 3), where it was
    refused as a file naming none of the profile's services (exit 2, "it has auth")."""
    data = plan()
    api = known_api(data)
    data["resource_changes"].remove(api)
    data["complete"] = False
    data["deferred_changes"] = [_deferred("deferred_prereq", api)]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    assert done.returncode == 3, done.stderr
    (unverified,) = _report(done)["unverified"]
    assert unverified["service"] == "api" and "deferred_prereq" in unverified["reason"]


def test_a_deferred_data_source_or_other_resource_is_not_a_workload() -> None:
    data = plan()
    data["deferred_changes"] = [
        _deferred("resource_config_unknown", {**known_api(data), "mode": "data"}),
        _deferred(
            "resource_config_unknown",
            {"address": "google_redis_instance.x", "type": "google_redis_instance"},
        ),
    ]
    assert not read(json.dumps(data), "plan.json").unread


def test_an_incomplete_plan_says_that_what_it_leaves_out_is_not_checked() -> None:
    """`complete: false` with nothing deferred: planned with `-target`."""
    data = plan()
    data["complete"] = False
    notes = read(json.dumps(data), "plan.json").notes
    assert any("complete: false" in n and "-target" in n for n in notes), notes
    data["complete"] = True
    assert not any("complete" in n for n in read(json.dumps(data), "plan.json").notes)


@pytest.mark.parametrize(
    ("deferred", "path"),
    [
        ({}, "deferred_changes: expected a list"),
        ([3], "deferred_changes[0]: expected an object"),
        ([{"reason": "x"}], "deferred_changes[0].resource_change: expected an object"),
    ],
)
def test_a_malformed_deferred_change_is_one_line_at_its_json_path(deferred: Any, path: str) -> None:
    data = plan()
    data["deferred_changes"] = deferred
    assert any(path in p for p in problems_of(json.dumps(data), "plan.json"))


@pytest.mark.parametrize("version", ["2.0", "10.1", 2, ""])
def test_a_plan_of_another_major_format_version_is_refused(version: Any) -> None:
    """format_version "2.0" is a change "not backward-compatible": read as 1.x, its fields
    may mean something else (an unknown, a sensitive value)."""
    data = plan()
    data["format_version"] = version
    (said,) = problems_of(json.dumps(data), "plan.json")
    assert "format_version" in said and "1." in said


@pytest.mark.parametrize(
    ("version", "shown"),
    [(None, "null (not text)"), (1.2, "1.2 (a number, not text)"), (1, "1 (a number, not text)")],
)
def test_a_format_version_that_is_no_text_is_said_as_the_json_has_it(
    version: Any, shown: str
) -> None:
    """helper-810: `format_version NoneType None`, `float 1.2`: Python's names for JSON's."""
    data = plan()
    data["format_version"] = version
    (said,) = problems_of(json.dumps(data), "plan.json")
    assert f"format_version {shown}: this reads" in said and "NoneType" not in said, said


@pytest.mark.parametrize("version", ["1.0", "1.2", "1.9", "0.2"])
def test_a_plan_of_a_known_major_format_version_is_read(version: str) -> None:
    data = plan()
    data["format_version"] = version
    assert read(json.dumps(data), "plan.json").workloads


def test_an_errored_plan_written_as_yaml_is_refused_too() -> None:
    """The same plan converted to YAML (`yq -P`) reads through the YAML route: `errored` is
    refused there as in JSON."""
    data = plan()
    data["errored"] = True
    text = json.dumps(data, indent=1)
    yaml_text = "# converted\n" + text  # JSON is YAML; a comment first takes the YAML route
    (said,) = problems_of(yaml_text, "plan.yaml")
    assert "errored" in said


def test_a_plan_that_defers_every_resource_is_read_for_what_it_defers(tmp_path: Path) -> None:
    """Every resource deferred (the provider's project made by this very plan): Terraform
    leaves `resource_changes` out, empty; the plan was refused as state-like output ("has no
    resource_changes"), where its deferred service is not verified."""
    data = plan()
    api = known_api(data)
    del data["resource_changes"]
    data["complete"] = False
    data["deferred_changes"] = [_deferred("provider_config_unknown", api)]
    done = check_offline(tmp_path, data, API_ONLY, "-f", "json")
    assert done.returncode == 3, done.stderr
    (unverified,) = _report(done)["unverified"]
    assert unverified["service"] == "api" and "deferred" in unverified["reason"]


def test_a_plan_without_resources_says_it_holds_no_cloud_run_service(tmp_path: Path) -> None:
    """A configuration of no resource at all: no `resource_changes`, but `planned_values`:
    a plan, not the output of something else."""
    data = {k: v for k, v in plan().items() if k != "resource_changes"}
    data["planned_values"] = {"root_module": {}}
    done = check_offline(tmp_path, data, API_ONLY)
    assert done.returncode == 2
    assert "holds no Cloud Run service" in done.stderr, done.stderr
    assert "saved plan" not in done.stderr


@pytest.mark.parametrize("actions", [["reconcile"], ["update", "reconcile"], []])
def test_a_service_with_an_action_drift_does_not_know_is_not_verified(
    tmp_path: Path, actions: list[str]
) -> None:
    """An action of a newer Terraform (`forget` came in 1.7, within format_version 1.x: the
    format's actions list grows "to allow callers to, e.g., just scan the list for delete"):
    the service it acts on was left out, and the run said api's clean "no drift" (exit 0)."""
    data = plan()
    chat = _chat(known_api(data))
    chat["change"]["actions"] = actions
    data["resource_changes"].append(chat)
    report = _report(done := check_offline(tmp_path, data, CHAT, "-f", "json"))
    assert done.returncode == 3, done.stdout
    (unverified,) = report["unverified"]
    assert unverified["service"] == "chat"
    assert "google_cloud_run_v2_service.chat" in unverified["reason"]
    assert f"actions {json.dumps(actions)}" in unverified["reason"]


def test_a_refresh_only_plan_says_it_deploys_nothing(tmp_path: Path) -> None:
    """`terraform plan -refresh-only`: the changes made outside Terraform (`resource_drift`),
    no `resource_changes`: nothing deployed, nothing to check, and the file says why."""
    data = plan()
    api = known_api(data)
    del data["resource_changes"]
    data["planned_values"] = {"root_module": {}}
    data["resource_drift"] = [api]
    done = check_offline(tmp_path, data, API_ONLY)
    assert done.returncode == 2
    assert "refresh-only" in done.stderr, done.stderr


WEB = "google_cloud_run_v2_service.web"


@pytest.mark.parametrize("named", [True, False])
def test_a_service_destroyed_now_and_created_again_only_in_a_later_round_is_missing(
    tmp_path: Path, named: bool
) -> None:
    """web destroyed (a move into a module whose `for_each` keys are not known yet, without a
    `moved` block) and its new address deferred: this apply deletes web and creates nothing in
    its place, so once applied web is missing, as the live check will say (service.missing,
    an error); it was only not verified (exit 3), as for a workload the same apply creates."""
    data = plan()
    api = known_api(data)
    (web,) = [rc for rc in data["resource_changes"] if rc["address"] == WEB]
    assert web["change"]["actions"] == ["delete"]
    data["resource_changes"] = [api, web]
    again = _chat(api, 'module.svc["web"].google_cloud_run_v2_service.this')
    again["change"]["after"]["name"] = "web"
    if not named:
        again["change"]["after"].pop("name")
        again["change"]["after_unknown"] = {"name": True}
    data["complete"] = False
    data["deferred_changes"] = [_deferred("instance_count_unknown", again)]
    report = _report(done := check_offline(tmp_path, data, API_ONLY + "  web: {}\n", "-f", "json"))
    assert done.returncode == 1, done.stdout
    (missing,) = [f for f in report["findings"] if f["rule"] == "service.missing"]
    assert missing["service"] == "web" and WEB in missing["message"]
    assert not report["unverified"], report["unverified"]
    assert any("later round" in n and WEB in n for n in report["notes"]), report["notes"]
