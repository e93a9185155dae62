"""The SARIF of a run that checked less than the profile (`--service`, a manifest) is an
analysis of its own code-scanning category: GitHub closes the open alerts of a category
whose results its newest analysis lacks (sarif-support-for-code-scanning,
`runAutomationDetails`), so sharing the full live run's category closed the alerts of all
it did not check. The category is stable across runs of the same scope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

pytestmark = pytest.mark.sandbox


def sarif_run(sandbox: Sandbox, *args: str) -> tuple[int, dict[str, Any]]:
    done = drift("check", "staging", *args, "--format", "sarif", env=sandbox.environ())
    assert done.returncode in (0, 1, 3), done.stderr
    run: dict[str, Any] = json.loads(done.stdout)["runs"][0]
    return done.returncode, run


def services(run: dict[str, Any]) -> set[str]:
    return {r["properties"]["service"] for r in run["results"]}


def test_a_partial_run_is_a_category_of_its_own(sandbox: Sandbox, tmp_path: Path) -> None:
    _, full = sarif_run(sandbox)
    _, api = sarif_run(sandbox, "--service", "api")
    _, again = sarif_run(sandbox, "--service", "api")
    _, both = sarif_run(sandbox, "--service", "web", "--service", "api")
    manifest = tmp_path / "api.yaml"
    planned = drift(
        "plan", "staging", "--service", "api", "--format", "yaml", env=sandbox.environ()
    )
    manifest.write_text(planned.stdout)
    code, gate = sarif_run(sandbox, "--manifest", str(manifest))
    assert code == 0 and not gate["results"]

    assert full["automationDetails"] == {"id": "drift/staging/"}
    assert {"api", "web"} <= services(full)
    ids = [run["automationDetails"]["id"] for run in (full, api, both, gate)]
    assert len(set(ids)) == 4  # none closes another's alerts
    assert ids[1:] == [
        "drift/staging/service=api/",
        "drift/staging/service=api,web/",
        "drift/staging/manifest/service=api/",
    ]
    assert again["automationDetails"] == api["automationDetails"]  # stable
    assert "not all of it" in api["automationDetails"]["description"]["text"]
    # it read all it was asked to: a success, in its own category
    assert api["invocations"][0]["executionSuccessful"] is True
    assert services(api) == {"api"}


def test_a_partial_run_carries_forward_only_what_it_covers(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Compared with a full baseline, a `--service api` run keeps web's findings in its JSON
    report (still known), but not as results of its own category: there they would open
    alerts the full run's category already has."""
    baseline = tmp_path / "full.json"
    done = drift("check", "staging", "--json", str(baseline), "--quiet", env=sandbox.environ())
    assert done.returncode == 1, done.stderr
    report = tmp_path / "api.json"
    code, api = sarif_run(
        sandbox, "--service", "api", "--baseline", str(baseline), "--json", str(report)
    )
    assert code == 1
    unchecked = json.loads(report.read_text())["unchecked"]
    assert {u["finding"]["service"] for u in unchecked} == {"web"}
    assert services(api) == {"api"}
    assert not [r for r in api["results"] if "notCheckedAgain" in r["properties"]]
