"""A plain value naming the other environment's project by its number only: a Cloud Run URL
is `https://SERVICE-PROJECT_NUMBER.REGION.run.app` ("deterministic URL",
cloud.google.com/run/docs/triggering/https-request), so e2e calling staging's api by its URL
names staging's project by number. A comparison looked the two projects' numbers up only for
a default compute account, so such a value named no project drift knew: "equivalent", exit 0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Fault, Sandbox
from tests.compare.conftest import compare_api
from tests.conftest import MakeSandbox

STAGING_URL = "https://api-700000000001.us-central1.run.app"
E2E_URL = "https://api-800000000002.europe-west1.run.app"


def _scenario(e2e_url: str, staging_url: str = STAGING_URL) -> dict[str, Any]:
    """staging's and e2e's api, each with a BACKEND_URL (e2e's given). Fake values."""

    def api(url: str) -> dict[str, Any]:
        image = "us-docker.pkg.dev/acme/apps/api:1.0.0"
        return {"template": {"image": image, "env": {"BACKEND_URL": url}}}

    return {
        "projects": {
            "acme-staging": {
                "number": 700000000001,
                "region": "us-central1",
                "services": {"api": api(staging_url)},
            },
            "acme-e2e": {
                "number": 800000000002,
                "region": "europe-west1",
                "services": {"api": api(e2e_url)},
            },
        }
    }


def _compare(sandbox: Sandbox, tmp_path: Path) -> dict[str, Any]:
    return compare_api(sandbox, tmp_path)


def test_a_url_naming_the_other_project_by_number_is_foreign(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """e2e's api calls staging's web by its run.app URL. main: "equivalent", exit 0."""
    web = STAGING_URL.replace("https://api-", "https://web-")
    document = _compare(make_sandbox(_scenario(web)), tmp_path)
    found = [d for d in document["differences"] if d["kind"] == "value.foreign"]
    assert [d["side"] for d in found] == ["b"], document
    assert "acme-staging" in found[0]["message"] and "700000000001" in found[0]["message"]
    assert document["status"] == "different" and document["exit_code"] == 1


def test_the_same_url_on_both_sides_is_shared(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """Both apis call staging's api (e2e's copied from staging). main: "equivalent"."""
    document = _compare(make_sandbox(_scenario(STAGING_URL)), tmp_path)
    kinds = [(d["kind"], d["side"]) for d in document["differences"]]
    assert kinds == [("value.shared", None)], document
    assert document["exit_code"] == 1


def test_each_side_on_its_own_number_is_equivalent(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Each api calls its own project's URL: nothing names the other side."""
    document = _compare(make_sandbox(_scenario(E2E_URL)), tmp_path)
    assert document["differences"] == [] and document["exit_code"] == 0, document


def test_a_number_whose_project_cannot_be_looked_up_is_not_verified(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """GetProject refused: whether 700000000001 is staging's cannot be told, so both values
    holding a number are not verified (exit 3), never equivalent; the number is not shown."""
    sandbox = make_sandbox(_scenario(E2E_URL))
    sandbox.inject(Fault("GetProject", "PERMISSION_DENIED"))
    document = _compare(sandbox, tmp_path)
    unread = document["unverified"]
    assert sorted((u["side"], u["target"]) for u in unread) == [
        ("a", "env.BACKEND_URL"),
        ("b", "env.BACKEND_URL"),
    ], unread
    assert all("GetProject" in u["reason"] for u in unread), unread
    assert "700000000001" not in json.dumps(unread)
    assert document["status"] == "incomplete" and document["exit_code"] == 3


def test_no_lookup_without_a_long_number(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """Values holding no run of 9 digits or more cost no GetProject (a port, a size)."""
    sandbox = make_sandbox(_scenario("http://10.0.0.8:8080/1048576", "http://10.0.0.7:8080"))
    sandbox.clear_calls()
    _compare(sandbox, tmp_path)
    assert not [c for c in sandbox.calls if c.short == "GetProject"]


def test_a_setting_naming_the_other_project_by_number_is_foreign(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """e2e's api egresses through a connector of staging's project, named by its number
    (VpcAccess.connector: "projects/{project}/locations/{location}/connectors/{connector}",
    where {project} can be project id or number). main: "equivalent", exit 0."""
    scenario = _scenario("http://10.0.0.8", "http://10.0.0.7")  # no number in a value
    connector = "projects/700000000001/locations/europe-west1/connectors/shared"
    scenario["projects"]["acme-e2e"]["services"]["api"]["template"]["vpc_connector"] = connector
    document = _compare(make_sandbox(scenario), tmp_path)
    found = [(d["kind"], d["target"], d["side"]) for d in document["differences"]]
    assert found == [("value.foreign", "setting.vpc_connector", "b")], document
    assert document["exit_code"] == 1


def test_a_setting_whose_number_cannot_be_placed_is_not_verified(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """GetProject refused: whether the connector's project is staging's cannot be told."""
    scenario = _scenario("http://10.0.0.8", "http://10.0.0.7")
    connector = "projects/700000000001/locations/europe-west1/connectors/shared"
    scenario["projects"]["acme-e2e"]["services"]["api"]["template"]["vpc_connector"] = connector
    sandbox = make_sandbox(scenario)
    sandbox.inject(Fault("GetProject", "PERMISSION_DENIED"))
    document = _compare(sandbox, tmp_path)
    unread = [(u["side"], u["target"]) for u in document["unverified"]]
    assert unread == [("b", "setting.vpc_connector")], document["unverified"]
    assert document["status"] == "incomplete" and document["exit_code"] == 3
