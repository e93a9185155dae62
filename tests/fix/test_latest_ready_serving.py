"""Service.latest_ready_revision after a canary with no traffic: service.proto calls it "the
latest revision that is serving traffic" (its field comment) and says that once
reconciliation succeeded it matches latest_created_revision (its `reconciling` comment, and
Knative's latestReadyRevisionName). drift took the second reading alone: under the first a
ready canary was "not ready (latest ready is …)" and every fix stopped there (helper-535).
The sandbox takes either (`options.latest_ready`); drift judges the canary by its own Ready
condition when the field names another, and the fix is the same under both."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("reading", ["ready", "serving"])
def test_a_canary_ready_with_no_traffic_is_promoted_under_either_reading(
    reading: str, make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = lab.lab_under(make_sandbox, latest_ready=reading)
    served = sandbox.service(lab.LAB, "app").latest_ready_revision
    ui = lab.ScriptedUI([True, True])
    result = lab.lab_fix(tmp_path, sandbox, ui, lab.FixOptions(), monkeypatch)
    said = result.summary()
    assert result.exit_code is ExitCode.OK, said
    (outcome,) = result.outcomes
    assert outcome.message.startswith(f"app: traffic moved to {outcome.canary}"), said
    after = sandbox.service(lab.LAB, "app")
    assert [
        (s.revision.rsplit("/", 1)[-1], s.percent) for s in after.traffic_statuses if s.percent
    ] == [(outcome.canary, 100)]
    assert after.latest_ready_revision.endswith(f"/{outcome.canary}")  # serving now: both agree
    assert served != after.latest_ready_revision


def test_under_the_serving_reading_a_canary_is_not_latest_ready_before_promotion(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The option really changes what the field says: at the promotion prompt the canary is
    the latest created revision, ready, with no traffic, and latest_ready_revision still names
    what serves."""
    sandbox = lab.lab_under(make_sandbox, latest_ready="serving")
    served = sandbox.service(lab.LAB, "app").latest_ready_revision
    seen: list[tuple[str, str]] = []

    def at_prompt(question: str) -> None:
        now = sandbox.service(lab.LAB, "app")
        seen.append((now.latest_created_revision, now.latest_ready_revision))

    ui = lab.ScriptedUI([True, True], on_confirm=at_prompt)
    result = lab.lab_fix(tmp_path, sandbox, ui, lab.FixOptions(), monkeypatch)
    (outcome,) = result.outcomes
    created, ready = seen[-1]  # the promotion's prompt
    assert created.endswith(f"/{outcome.canary}"), (seen, result.summary())
    assert ready == served
