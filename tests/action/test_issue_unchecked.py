"""The scheduled check's issue is closed only when the report says everything is resolved. A
report compared with a baseline also lists what it could NOT check again (`unchecked`: a
service this run did not check, a revision a manifest run does not read): still drift as far
as anyone knows, neither findings of this run nor resolved. Such a report was taken for all
clear, and the issue closed with "Everything drift reported is resolved" while the drift
stood (revout88 F1); an issue updated from it dropped that drift from its body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.action.issue import Step, body, sync_issue, title_for
from drift.action.report import RunReport, read_report
from drift.errors import UsageError
from drift.sandbox import Sandbox
from tests.action.test_schedule import fake_gh, issue
from tests.cliutil import drift


def _reports(sandbox: Sandbox, tmp_path: Path) -> tuple[Path, Path]:
    """A full check of staging (drift found), then a check of the one service without drift
    compared with that report: the others' findings are not checked again."""
    env = sandbox.environ()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    done = drift("check", "staging", "--json", str(first), env=env)
    assert done.returncode == 1, done.stderr
    drifted = {f["service"] for f in json.loads(first.read_text())["findings"]}
    clean = sorted({"api", "auth", "web"} - drifted)  # profiles/staging.yaml
    assert clean, "the scenario has a service without drift"
    args = ["--service", clean[0], "--baseline", str(first), "--json", str(second)]
    done = drift("check", "staging", *args, env=env)
    assert done.returncode == 0, done.stderr
    return first, second


@pytest.mark.sandbox
def test_an_issue_is_not_closed_on_a_report_that_did_not_check_everything_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Its scope aside (refused on its own: the last test), the report of a check compared
    with a baseline whose other workloads it did not check is what a check of the whole
    profile writes once a workload is taken out of the profile, or once probes are no longer
    run: the baseline's findings there are `unchecked`, nothing else is found."""
    _, second = _reports(sandbox, tmp_path)
    data = json.loads(second.read_text())
    data.pop("scope", None)
    report = RunReport(str(second), data)
    assert report.data["findings"] == [] and report.data["unverified"] == []
    assert report.data["unchecked"], "the other services' findings are carried, not resolved"
    gh = fake_gh(tmp_path, [issue(3, title_for("staging"), ["drift"])])
    assert sync_issue(report, "staging", gh) is Step.NONE
    state = json.loads((tmp_path / "gh-state.json").read_text())
    assert state["issues"][0]["state"] == "open"


@pytest.mark.sandbox
def test_an_issue_body_keeps_the_drift_a_run_did_not_check_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    _, second = _reports(sandbox, tmp_path)
    report = read_report(str(second))
    text = body(report)
    carried = report.data["unchecked"][0]["finding"]
    assert "Not checked again" in text
    assert f"`{carried['target']}`" in text


@pytest.mark.sandbox
@pytest.mark.parametrize("baseline", [False, True], ids=["first-run", "compared"])
def test_the_issue_is_never_kept_with_a_report_of_part_of_the_environment(
    sandbox: Sandbox, tmp_path: Path, baseline: bool
) -> None:
    """A report of one service (or of a manifest, or of probes) says nothing of the others:
    without a baseline their drift is simply not there, and the issue was closed as if it
    were resolved; with findings, its body was replaced by a part of the state. The JSON
    report now says its scope, and the issue step refuses it, touching nothing."""
    first, second = _reports(sandbox, tmp_path)
    if not baseline:
        scope = json.loads(second.read_text())["scope"]
        args = ["--service", scope[0].removeprefix("service="), "--json", str(second)]
        done = drift("check", "staging", *args, env=sandbox.environ())
        assert done.returncode == 0, done.stderr
    report = read_report(str(second))
    assert report.data["findings"] == [] and report.data["unverified"] == []
    gh = fake_gh(tmp_path, [issue(3, title_for("staging"), ["drift"])])
    with pytest.raises(UsageError, match="report of part of 'staging' \\(service="):
        sync_issue(report, "staging", gh)
    state = json.loads((tmp_path / "gh-state.json").read_text())
    assert state["issues"][0]["state"] == "open" and state["issues"][0]["comments"] == []
    assert json.loads(first.read_text()).get("scope") is None  # all of it: no scope
