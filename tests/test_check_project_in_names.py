"""`drift check` of one project named by id or by number finds the same drift, whichever form
Cloud Run answers resource names in (sandbox option `project_in_names`: run v2 Service.name
gives only "projects/{project}/locations/{location}/services/{service_id}", {project} an id
or a number, and leaves open which one an answer to a request by number says)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drift.check import CheckResult
from drift.sandbox.scenario import load_scenario
from tests.conftest import MakeSandbox
from tests.test_check_shapes import PROFILES, SHAPES, check

NUMBER = "500000000001"  # acme-prod's, in real-shapes.yaml


def _findings(result: CheckResult) -> set[tuple[str, str, str, str, str]]:
    """Each finding, its message's numbers blanked: a time left ("expires in 6 days 23
    hours") is counted from each run's own now."""
    return {
        (f.service, f.rule, f.target, str(f.severity), re.sub(r"\d+", "#", f.message))
        for f in result.report.findings
    }


@pytest.mark.parametrize("form", ["id", "as_asked"])
def test_a_profile_naming_its_project_by_number_finds_what_one_by_id_finds(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, form: str
) -> None:
    scenario = load_scenario(SHAPES)
    options = scenario.options.model_copy(update={"project_in_names": form})
    sandbox = make_sandbox(scenario.model_copy(update={"options": options}))
    by_id = check(sandbox, monkeypatch)
    text = (PROFILES / "prod.yaml").read_text()
    assert "project: acme-prod\n" in text
    (tmp_path / "prod.yaml").write_text(
        text.replace("project: acme-prod\n", f"project: '{NUMBER}'\n")
    )
    sandbox.reset()
    by_number = check(sandbox, monkeypatch, profiles=tmp_path)
    listed = [c for c in sandbox.calls if c.short == "ListServices"]
    assert listed and all(c.request.parent.startswith(f"projects/{NUMBER}/") for c in listed)
    ids, numbers = _findings(by_id), _findings(by_number)
    assert ids and numbers == ids, (sorted(ids - numbers), sorted(numbers - ids))
