"""A revision whose Ready condition says MIN_INSTANCES_NOT_PROVISIONED (helper-619 F2):
condition.proto, `RevisionReason`: "A revision with min_instance_count > 0 was created and is
reserved, but it was not configured to serve traffic, so it's not live. This can also happen
momentarily during traffic migration". `since` and `drift history` read it as idle, as `check`
does (`drift.live.conditions.IDLE`), never as failed and never served."""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.cloud import run_v2

REASON = run_v2.Condition.RevisionReason


def test_a_reserved_min_instances_revision_is_no_failed_one() -> None:
    """Read alone (`records_of`): ready, as RETIRED and RESERVE are, whatever its Ready
    state; `unserved` then passes none of them over as never served."""
    from drift.diff.unserved import unserved
    from drift.kinds import Kind
    from drift.live.history import records_of

    parent = "projects/acme/locations/us-central1/services/api"
    port = run_v2.ContainerPort(container_port=8080)

    def revision(n: int, reason: str = "", state: str = "CONDITION_SUCCEEDED") -> Any:
        made = run_v2.Revision(
            name=f"{parent}/revisions/api-0000{n}-abc",
            containers=[run_v2.Container(image="img", ports=[port])],
        )
        made.create_time = dt.datetime(2026, 11, n, tzinfo=dt.UTC)
        ready = run_v2.Condition(type_="Ready", state=getattr(run_v2.Condition.State, state))
        if reason:
            ready.revision_reason = getattr(REASON, reason)
            ready.severity = run_v2.Condition.Severity.ERROR
        made.conditions = [ready]
        return made

    listed = [
        revision(1),
        revision(2, "MIN_INSTANCES_NOT_PROVISIONED", "CONDITION_FAILED"),
        revision(3, "RETIRED", "CONDITION_FAILED"),
        revision(4),
    ]
    records = records_of(listed, run_v2.Service(name=parent), None, Kind.SERVICE)
    assert [r.ready for r in records] == [True] * 4
    assert unserved(records, None, {"api-00004-abc"}) == {}
