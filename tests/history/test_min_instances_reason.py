"""A revision with min instances that stopped serving, whose Ready condition says
MIN_INSTANCES_NOT_PROVISIONED (helper-619 F2): condition.proto, `RevisionReason`: "A revision
with min_instance_count > 0 was created and is reserved, but it was not configured to serve
traffic, so it's not live. This can also happen momentarily during traffic migration". Which
reason such a revision shows is left open, so the sandbox gives it (option `unserved_reason:
MIN_INSTANCES_NOT_PROVISIONED`) under either Ready state; `since` and `drift history` read it
as idle, as `check` does (`drift.live.conditions.IDLE`), never as failed and never served."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.cliutil import drift_on

REASON = run_v2.Condition.RevisionReason
PROFILE = "project: acme\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: live\n"


def _world(ready: str) -> dict[str, Any]:
    """alice's `debug`; bob's `live` with min instances, served; carol's `debug`; the template
    (`debug`) serving."""
    history = [
        {"created": "10d", "creator": "alice@x.io", "env": {"MODE": "debug"}},
        {"created": "9d", "creator": "bob@x.io", "env": {"MODE": "live"}, "min_instances": 1},
        {"created": "8d", "creator": "carol@x.io", "env": {"MODE": "debug"}},
    ]
    options = {
        "seed": 3,
        "unserved_reason": "MIN_INSTANCES_NOT_PROVISIONED",
        "retired_ready": ready,
    }
    api = {"template": {"env": {"MODE": "debug"}}, "history": history}
    project = {"number": 111, "region": "us-central1", "services": {"api": api}}
    return {"options": options, "projects": {"acme": project}}


NAMES = {"00001": "api-00001-goj", "00002": "api-00002-bav", "00003": "api-00003-zmv"}
"""The older revisions' names (seed 3)."""


def _reasons(sandbox: Sandbox) -> dict[str, int]:
    out = {}
    for n, name in NAMES.items():
        conditions = sandbox.revision("acme", "api", name).conditions
        out[n] = next(c for c in conditions if c.type_ == "Ready").revision_reason
    return out


@pytest.mark.parametrize("ready", ["failed", "succeeded"])
def test_since_and_history_read_a_reserved_min_instances_revision_as_served(
    tmp_path: Path, ready: str
) -> None:
    with Sandbox(_world(ready)) as sandbox:
        # the option's reason on bob's (min instances), RETIRED on the others
        assert _reasons(sandbox) == {
            "00001": REASON.RETIRED,
            "00002": REASON.MIN_INSTANCES_NOT_PROVISIONED,
            "00003": REASON.RETIRED,
        }
        done = drift_on(sandbox, tmp_path, ("prod", PROFILE), "check", "prod", "--format", "json")
        assert done.returncode == 1, done.stderr
        (found,) = json.loads(done.stdout)["findings"]
        since = found["since"]
        # before: since alice's 00001, no last good (bob's taken as failed, never served)
        assert "-00003-" in since["revision"] and since["creator"] == "carol@x.io", since
        assert "-00002-" in (since["last_good"] or ""), since
        history = drift_on(sandbox, tmp_path, ("prod", PROFILE), "history", "prod")
    out = history.stdout
    assert history.returncode == 0, history.stderr
    assert "never served" not in out and "failed" not in out, out
    assert "changed env.MODE: live -> debug" in out, out  # carol's, against bob's


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
