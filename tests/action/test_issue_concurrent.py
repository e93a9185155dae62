"""Two scheduled runs of one environment at once (a `workflow_dispatch` while the schedule
runs, a copy of the workflow without its `concurrency:` group): each finds no issue and opens
one. drift then kept the oldest and never touched the other again: it stayed open for ever,
its drift long resolved, after the environment's issue was closed (revaction92 F1)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from drift.action.issue import Step, sync_issue, title_for
from drift.action.report import RunReport
from drift.report import REPORT_SCHEMA
from tests.action.test_schedule import fake_gh, issue

FINDING = {"severity": "error", "service": "api", "rule": "env.missing", "target": "env.A"}


def _report(findings: list[dict[str, Any]], **more: Any) -> RunReport:
    data = {"schema": REPORT_SCHEMA, "environment": "staging", "findings": findings, **more}
    return RunReport("report.json", data)


def _issues(home: Path) -> list[dict[str, Any]]:
    return list(json.loads((home / "gh-state.json").read_text())["issues"])


def test_two_issues_opened_at_once_end_as_one(tmp_path: Path) -> None:
    """The other run opens its issue between this run's look and its own create: this run
    finds both once it has opened its own, keeps the oldest and closes the newer, saying
    which one is kept."""
    gh = fake_gh(tmp_path, [issue(1, "a bug")])
    title = title_for("staging")

    def racing(args: Sequence[str]) -> str:
        if list(args[:2]) == ["issue", "create"]:
            # the other run's create lands first
            gh(["issue", "create", "--title", title, "--label", "drift", "--body-file", __file__])
        return gh(args)

    assert sync_issue(_report([FINDING]), "staging", racing) is Step.OPEN
    mine = [i for i in _issues(tmp_path) if i["title"] == title]
    assert [(i["number"], i["state"]) for i in mine] == [(2, "open"), (3, "closed")]
    assert "#2" in mine[1]["comments"][-1]


def test_a_duplicate_is_closed_and_the_oldest_kept(tmp_path: Path) -> None:
    """Two labelled issues left by an earlier race: the next alert goes to the oldest, the
    other is closed as its duplicate; when everything is resolved, none stays open."""
    title = title_for("staging")
    gh = fake_gh(tmp_path, [issue(4, title, ["drift"]), issue(9, title, ["drift"])])
    other = {**FINDING, "target": "env.B"}
    compared = {"resolved": []}
    new = [{**FINDING, "baseline": "unchanged"}, {**other, "baseline": "new"}]
    assert sync_issue(_report(new, **compared), "staging", gh) is Step.UPDATE
    state = {i["number"]: i for i in _issues(tmp_path)}
    assert state[4]["state"] == "open" and "env.B" in state[4]["body"]
    assert state[9]["state"] == "closed" and "#4" in state[9]["comments"][-1]

    gh = fake_gh(tmp_path, [issue(4, title, ["drift"]), issue(9, title, ["drift"])])
    clean = _report([], resolved=[FINDING, other])
    assert sync_issue(clean, "staging", gh) is Step.CLOSE
    assert [i["state"] for i in _issues(tmp_path)] == ["closed", "closed"]


def test_an_issue_opened_stays_opened_when_the_look_after_fails(tmp_path: Path) -> None:
    """GitHub answers 502 to the look for a twin after the create: the issue is open, so the
    run succeeds (its report becomes the baseline); a twin, if any, is closed by a later run."""
    from drift.errors import UsageError

    gh = fake_gh(tmp_path, [])
    lists = 0

    def flaky(args: Sequence[str]) -> str:
        nonlocal lists
        if list(args[:2]) == ["issue", "list"] and (lists := lists + 1) == 3:
            raise UsageError("gh issue list failed: HTTP 502")
        return gh(args)

    assert sync_issue(_report([FINDING]), "staging", flaky) is Step.OPEN
    assert [(i["number"], i["state"]) for i in _issues(tmp_path)] == [(1, "open")]
