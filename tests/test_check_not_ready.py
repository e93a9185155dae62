"""A settled service whose serving revision is not ready is never called clean (revlro F1): its
latest created revision is its latest ready one, nothing reconciles, but the serving
revision's Ready condition failed (HEALTH_CHECK_CONTAINER_ERROR) and so did the service's
terminal condition. `revision.rollout` names the revision, the reason and the server's message
(masked like any live text). Revisions that stop serving (RETIRED, whichever Ready state the
sandbox gives them: it is not documented) and conditions failed at Warning/Info severity stay
clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.live.conditions import failed, failed_ready, words
from drift.sandbox import Sandbox
from tests.test_check_routing_edges import check, world

IMG = "us-central1-docker.pkg.dev/p/apps/"
MESSAGE = "The user-provided container failed the configured startup probe checks."
PROFILE = """project: p
region: us-central1
services:
  api:
    env:
      MODE: good
"""


def services(**more: object) -> dict[str, object]:
    return {
        "api": {
            "template": {"image": IMG + "a:2", "env": {"MODE": "good"}},
            "history": [{"image": IMG + "a:1", "env": {"MODE": "good"}}],
            **more,
        }
    }


def test_a_settled_service_whose_serving_revision_is_not_ready_is_not_called_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Sandbox(world(services(unhealthy=MESSAGE))) as sb:
        svc = sb.service("p", "api")
        assert svc.latest_created_revision == svc.latest_ready_revision
        assert not svc.reconciling
        assert svc.terminal_condition.state == run_v2.Condition.State.CONDITION_FAILED
        serving = svc.latest_ready_revision.rsplit("/", 1)[-1]
        result = check(sb, monkeypatch, tmp_path, PROFILE)
    assert result.report.status == "drift", result.report.findings
    assert result.report.exit_code == 1
    [f] = [f for f in result.report.findings if f.rule == "revision.rollout"]
    assert f.revision == serving
    assert serving in f.message
    assert "HEALTH_CHECK_CONTAINER_ERROR" in f.message and MESSAGE in f.message


def test_the_condition_message_is_masked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The message is a server's text: a credential the service holds is masked in it, and
    so is text in it shaped like a credential, as in a live value (revleak60 F5: a URL with a
    password the app printed, which drift never read)."""
    key = "sk_live_9fQ2xLr7Tq1mZ8vW3nB6cY4d"
    more = {"template": {"image": IMG + "a:2", "env": {"MODE": "good", "STRIPE_KEY": key}}}
    said = f"crashed: STRIPE_KEY={key} refused; db postgresql://app:Zr8TqWm3Lk2Vn@10.0.0.5/db"
    with Sandbox(world(services(unhealthy=said, **more))) as sb:
        result = check(sb, monkeypatch, tmp_path, PROFILE)
    [f] = [f for f in result.report.findings if f.rule == "revision.rollout"]
    assert key not in f.message and "crashed" in f.message
    assert "Zr8TqWm3Lk2Vn" not in f.message and "10.0.0.5/db" in f.message


@pytest.mark.parametrize("retired_ready", ["succeeded", "failed"])
def test_retired_revisions_do_not_make_a_service_unready(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, retired_ready: str
) -> None:
    """The revision that served before a deploy no longer serves: RETIRED, with either Ready
    state (`retired_ready`: not documented); it is no failure, and `check` stays clean."""
    with Sandbox(world(services(), retired_ready=retired_ready)) as sb:
        before = sb.service("p", "api").latest_ready_revision.rsplit("/", 1)[-1]
        sb.deploy("p", "api", image=IMG + "a:3")
        old = sb.revision("p", "api", before)
        ready = next(c for c in old.conditions if c.type_ == "Ready")
        assert ready.revision_reason == run_v2.Condition.RevisionReason.RETIRED
        result = check(sb, monkeypatch, tmp_path, PROFILE)
    assert result.report.status == "clean", result.report.findings
    assert result.report.exit_code == 0


@pytest.mark.parametrize(
    ("severity", "bad"),
    [
        (run_v2.Condition.Severity.ERROR, True),
        (run_v2.Condition.Severity.SEVERITY_UNSPECIFIED, True),
        (run_v2.Condition.Severity.WARNING, False),
        (run_v2.Condition.Severity.INFO, False),
    ],
)
def test_only_a_failure_at_error_severity_is_not_ready(
    severity: run_v2.Condition.Severity, bad: bool
) -> None:
    """Condition.severity: "How to interpret failures of this condition, one of Error,
    Warning, Info"."""
    ready = run_v2.Condition(
        type_="Ready",
        state=run_v2.Condition.State.CONDITION_FAILED,
        severity=severity,
        message="Health check failed. System will retry.",
        revision_reason=run_v2.Condition.RevisionReason.CUSTOMIZED_PATH_RESPONSE_PENDING,
    )
    assert failed(ready) is bad
    assert (failed_ready([ready]) is not None) is bad
    assert words(ready) == (
        "CUSTOMIZED_PATH_RESPONSE_PENDING: Health check failed. System will retry."
    )
