"""A revision that serves traffic is never taken as one that "never served", whatever its
Ready condition says today: a revision can stop being ready after it served (RevisionReason
HEALTH_CHECK_CONTAINER_ERROR, condition.proto; the sandbox's `unhealthy`), and a Ready
condition failed at severity Warning or Info does not make a revision not ready
(Condition.severity, as `drift.live.conditions.failed` reads it for check). `since` passed
over such a revision and named the wrong one (revhist85 F1); `drift history` called a revision
serving 100 % "failed: never served"."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.diff.unserved import FAILED, unserved
from drift.kinds import Kind
from drift.live.history import records_of
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.history.cli import run
from tests.history.test_revsince import BAD, GOOD, acme_lab, check, since_of

PROFILE = "project: acme\nregion: us-central1\nservices:\n  api: {env: {MODE: good}}\n"


def _split(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Sandbox:
    """MODE bad in 00001, good in 00002, bad again in 00003; 00002 and 00003 split the traffic
    and both stopped being ready after they served."""
    service = {
        "template": {"env": BAD},
        "history": [{"env": BAD, "created": "3d"}, {"env": GOOD, "created": "2d"}],
        "traffic": [{"revision": 2, "percent": 50}, {"latest": True, "percent": 50}],
        "unhealthy": "container crashed",
    }
    sandbox = acme_lab(make_sandbox, monkeypatch, tmp_path, {"api": service}, PROFILE)
    return sandbox


def test_since_stops_at_a_good_revision_that_serves_but_is_no_longer_ready(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """00002 serves half the traffic with MODE good: the drift on 00003 began on 00003, and
    00002 is the last good revision — not "as old as 00001", passing over 00002 as failed."""
    _split(make_sandbox, monkeypatch, tmp_path)
    since = since_of(check(), "api", "env.MODE")
    assert since.revision is not None and since.revision.startswith("api-00003-"), since
    assert since.last_good is not None and since.last_good.startswith("api-00002-"), since


def test_history_never_calls_a_serving_revision_never_served(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = _split(make_sandbox, monkeypatch, tmp_path)
    folder = tmp_path / "profiles"
    done = run(sandbox, folder, "history", "prod", "--format", "json")
    assert done.returncode == 0, done.stderr
    revisions = json.loads(done.stdout)["services"][0]["revisions"]
    serving = [r for r in revisions if r["percent"]]
    assert len(serving) == 2
    assert all(r["never_served"] is None for r in serving), serving
    text = run(sandbox, folder, "history", "prod").stdout
    assert "never served" not in text, text
    # 00003 is compared with 00002, which served before it, not with 00001
    newest = revisions[0]
    assert newest["revision"].startswith("api-00003-") and newest["changes_against"] is None


def _revision(name: str, state: str, severity: str) -> run_v2.Revision:
    ready = run_v2.Condition(
        type_="Ready",
        state=run_v2.Condition.State[state],
        severity=run_v2.Condition.Severity[severity],
    )
    created = dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(days=int(name[-5:]))
    return run_v2.Revision(
        name=f"projects/acme/locations/us-central1/services/api/revisions/{name}",
        create_time=created,
        conditions=[ready],
    )


@pytest.mark.parametrize(
    ("severity", "failed"),
    [("WARNING", False), ("INFO", False), ("ERROR", True), ("SEVERITY_UNSPECIFIED", True)],
)
def test_a_ready_condition_failed_as_a_warning_is_no_failed_revision(
    severity: str, failed: bool
) -> None:
    """Condition.severity: "How to interpret failures of this condition, one of Error,
    Warning, Info" (condition.proto); check takes only an Error (or unspecified) failure as
    not ready (`drift.live.conditions.failed`), and history and since read it the same."""
    service = run_v2.Service(name="projects/acme/locations/us-central1/services/api")
    listed = [
        _revision("api-00001", "CONDITION_SUCCEEDED", "ERROR"),
        _revision("api-00002", "CONDITION_FAILED", severity),
        _revision("api-00003", "CONDITION_SUCCEEDED", "ERROR"),
    ]
    records = records_of(listed, service, None, Kind.SERVICE)
    assert [r.name for r in records] == ["api-00001", "api-00002", "api-00003"]
    assert records[1].ready is not failed
    assert unserved(records) == ({1: FAILED} if failed else {})


def test_revisions_created_in_the_same_instant_are_ordered_by_cloud_runs_number(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two revisions with one `create_time` (a server that records whole seconds: the field's
    resolution is documented nowhere, and v1's `creationTimestamp` has seconds only) come in the
    order Cloud Run numbered them, not in the listing's (ListRevisionsRequest documents no
    order; the sandbox lists newest first). MODE good in 00001, bad in 00002, good again in
    00003 (both made in the same instant), bad in 00004: the drift began on 00004, and 00003 is
    the last good — not "since 00002, last good 00003", a good revision after the drift's
    start (revhist85 F2)."""
    from drift.sandbox import clock

    frozen = clock.Clock.now(clock.Clock())
    monkeypatch.setattr(clock.Clock, "now", lambda self: frozen + self.offset)
    service = {
        "template": {"env": BAD},
        "history": [
            {"env": GOOD, "created": "3d"},
            {"env": BAD, "created": "2d"},
            {"env": GOOD, "created": "2d"},
        ],
    }
    sandbox = acme_lab(make_sandbox, monkeypatch, tmp_path, {"api": service}, PROFILE)
    since = since_of(check(), "api", "env.MODE")
    assert since.revision is not None and since.revision.startswith("api-00004-"), since
    assert since.last_good is not None and since.last_good.startswith("api-00003-"), since
    done = run(sandbox, tmp_path / "profiles", "history", "prod", "--format", "json")
    names = [r["revision"][:9] for r in json.loads(done.stdout)["services"][0]["revisions"]]
    assert names == ["api-00004", "api-00003", "api-00002", "api-00001"]
