"""A revision reached only through a checked traffic tag at 0 % is judged by its Ready condition
as a serving one is (fixstates (a)): the tag has its own URL (TrafficTargetStatus.uri, at any
percent: SPEC "Every revision a user can reach"), so a tag URL that serves a revision that is
not ready is never reported clean, in any format. A tag-only revision whose Ready condition
says only that it takes no traffic (RESERVE, RETIRED, RETIRING, MIN_INSTANCES_NOT_PROVISIONED,
condition.proto) is not failing; an unchecked tag is not judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.format import OutputFormat, formatter_for
from drift.sandbox import Sandbox
from tests.test_check_not_ready import IMG, MESSAGE, PROFILE
from tests.test_check_routing_edges import check, world

Reason = run_v2.Condition.RevisionReason


def services(*, tag: str = "e2e") -> dict[str, Any]:
    """`api` serves its template; tag `tag` points at its first revision with 0 % of the
    traffic."""
    return {
        "api": {
            "template": {"image": IMG + "a:2", "env": {"MODE": "good"}},
            "history": [{"image": IMG + "a:1", "env": {"MODE": "good"}}],
            "traffic": [
                {"latest": True, "percent": 100},
                {"revision": 1, "percent": 0, "tag": tag},
            ],
        }
    }


def fail_tagged(sb: Sandbox, reason: int = Reason.HEALTH_CHECK_CONTAINER_ERROR) -> str:
    """The tagged revision's Ready condition fails with `reason` (after it was ready: a
    revision a tag reaches may stop being ready like any other); its name."""
    name = sb.service("p", "api").traffic_statuses[1].revision.rsplit("/", 1)[-1]

    def change() -> None:
        rec = sb._core.world.find_service("p", "api", None)
        ready = next(c for c in rec.revisions[name].conditions if c.type_ == "Ready")
        ready.state = run_v2.Condition.State.CONDITION_FAILED
        ready.revision_reason = reason
        ready.message = MESSAGE

    sb._run(change)
    return name


def test_a_tagged_revision_that_is_not_ready_is_not_called_clean_in_any_format(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Sandbox(world(services())) as sb:
        tagged = fail_tagged(sb)
        result = check(sb, monkeypatch, tmp_path, PROFILE)
    report = result.report
    assert report.status == "drift" and report.exit_code == 1, report.findings
    [f] = [f for f in report.findings if f.rule == "revision.rollout"]
    assert f.revision == tagged and f.tag == "e2e"
    assert "tag e2e" in f.message and "HEALTH_CHECK_CONTAINER_ERROR" in f.message
    assert MESSAGE in f.message
    text = formatter_for(OutputFormat.TABLE, width=200).render(report)
    assert "revision.rollout" in text and tagged in text and "no drift" not in text.lower()
    data = json.loads(formatter_for(OutputFormat.JSON).render(report))
    [j] = [x for x in data["findings"] if x["rule"] == "revision.rollout"]
    assert data["status"] == "drift" and j["tag"] == "e2e" and j["revision"] == tagged
    github = formatter_for(OutputFormat.GITHUB).render(report)
    assert "::error " in github and "revision.rollout" in github and tagged in github
    sarif = json.loads(formatter_for(OutputFormat.SARIF).render(report))
    [r] = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "revision.rollout"]
    assert r["level"] == "error" and tagged in r["message"]["text"]


@pytest.mark.parametrize(
    "reason",
    [
        Reason.RESERVE,
        Reason.RETIRED,
        Reason.RETIRING,
        Reason.MIN_INSTANCES_NOT_PROVISIONED,
    ],
)
def test_a_tagged_revision_that_only_takes_no_traffic_is_not_failing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, reason: int
) -> None:
    with Sandbox(world(services())) as sb:
        fail_tagged(sb, reason)
        result = check(sb, monkeypatch, tmp_path, PROFILE)
    assert result.report.status == "clean", result.report.findings
    assert result.report.exit_code == 0


def test_an_unchecked_tag_is_not_judged(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with Sandbox(world(services(tag="preview"))) as sb:
        fail_tagged(sb)
        result = check(
            sb, monkeypatch, tmp_path, PROFILE.replace("services:", "check_tags: [e2e]\nservices:")
        )
    assert result.report.status == "clean", result.report.findings
