"""drift against both readings of which name an IAM condition tests a `latest` reference by
(sandbox option `alias_in_conditions`: the number `latest` stands for, or `latest` itself; no
Google doc says). Under each, the service's revision can read its secret under one of the two
conditions and not the other; drift, which cannot know which reading Google applies, reports
the grant unverified under both conditions and both readings: never clean, never `no_access`
(revsbx84; SPEC "Access as IAM grants it")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions

from tests.conftest import ClientsFor, MakeSandbox
from tests.test_check_access_indirect import ACCESSOR, SA, run, world

API = "projects/p/locations/us-central1/services/api"


def seeded(named: str, version: str) -> dict[str, Any]:
    """api reads k by `latest` (version 1); its account's only grant holds if IAM tests the
    version as `…/versions/{version}`."""
    expression = f'resource.name.endsWith("/versions/{version}")'
    scenario = world([{"role": ACCESSOR, "members": [SA], "condition": {"expression": expression}}])
    scenario["options"] = {"alias_in_conditions": named}
    return dict(scenario)


def redeploys(make_sandbox: MakeSandbox, clients_for: ClientsFor, scenario: Any) -> bool:
    """Whether a new revision of api (its secret checked at deploy) becomes ready."""
    client = clients_for(make_sandbox(scenario)).services
    service = client.get_service(name=API)
    service.template.labels["try"] = "1"
    try:
        client.update_service(service=service).result(timeout=10)
    except exceptions.FailedPrecondition:
        return False
    return True


@pytest.mark.parametrize("named", ["number", "alias"])
@pytest.mark.parametrize("version", ["1", "latest"])
def test_a_grant_for_one_name_of_latest_is_unverified_under_either_reading(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    named: str,
    version: str,
) -> None:
    scenario = seeded(named, version)
    readable = (named == "number") == (version == "1")
    assert redeploys(make_sandbox, clients_for, scenario) is readable  # the option decides
    result, rules, access = run(make_sandbox, monkeypatch, tmp_path, scenario)
    assert "secret.no_access" not in rules
    (unverified,) = access
    assert "true for versions/" in unverified.reason
    assert result.report.exit_code != 0, rules  # unverified: never clean


def test_the_options_default_is_the_number(make_sandbox: MakeSandbox) -> None:
    assert make_sandbox(world([])).scenario.options.alias_in_conditions == "number"
