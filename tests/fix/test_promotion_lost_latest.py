"""A promotion through LATEST (the service routed LATEST 100 % before the fix: the promotion
sends LATEST 100 % again, the canary's tag gone) whose answer was lost, and two writes of a
teammate's (labels: no revision) before drift reads the service back: two generations or more
past the canary's. Its routing is what served before the fix, so the routing alone proves
nothing (`drift.fix.promotion_lost`); the rest of what was read does:

- landed: the routing is the promotion's and the template is still the canary's, which no
  write that put back what served before (Terraform's whole service, a saved YAML) leaves: a
  completed fix, the re-check's exit code;
- not landed: the routing is still drift's pin, the canary's own tag included, which drift's
  promotion removes and only drift's canary write makes: traffic never moved; cleaned up as
  when their write came first (one write of theirs), exit 4.

Before, both were exit 3, "may have landed before their change"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ApiError, ExitCode
from drift.fix import canary as fix_canary
from drift.fix.apply import FixOptions, FixResult
from drift.fix.journal import State
from drift.fix.promotion_lost import UNREAD
from drift.live.changeids import tagged_change
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, spec
from tests.fix.test_promotion_lost import promoted_at
from tests.fix.test_promotion_refused_theirs import LATEST


@dataclass
class Ran:
    sandbox: Sandbox
    result: FixResult
    canary: str
    said: str


Lost = Callable[..., Ran]


@pytest.fixture
def lost(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> Lost:
    """`lost(first=…, deploy=…)`: `drift fix lab --yes` on a service routed LATEST (a new lab
    sandbox, returned with the result): a teammate labels the service twice (`deploy`:
    deploys, then labels it) before (`first`) or after drift's promotion is carried out, then
    drift's call answers UNAVAILABLE (the answer lost, whatever the server said: before, it
    refused the stale etag, AIP-154)."""

    def run(*, first: bool, deploy: bool = False) -> Ran:
        sandbox = make_sandbox(lab.lab_world())
        clients = clients_for(sandbox)
        real = fix_canary.update_workload
        sent: list[Any] = []

        def theirs() -> None:
            if deploy:  # a CI deploy (traffic kept as it is), then a label
                sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2-from-ci")
            for key in ("team", "again")[deploy:]:
                service = clients.services.get_service(name=lab.lab_name())
                service.labels[key] = "theirs"
                clients.services.update_service(service=service).result()

        async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
            sent.append(request)
            if len(sent) != 2:
                return await real(session, kind, request, **kw)
            if first:
                theirs()
            try:
                await real(session, kind, request, **kw)
            except ApiError:
                assert first, "the promotion was refused though nothing came before it"
            if not first:
                theirs()
            raise ApiError("UpdateService", request.name, "UNAVAILABLE", "the answer was lost")

        monkeypatch.setattr(fix_canary, "update_workload", update_workload)
        result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
        (outcome,) = result.outcomes
        return Ran(sandbox, result, outcome.canary, result.summary())

    return run


def test_a_lost_latest_promotion_proven_landed_is_a_completed_fix(
    lost: Lost, tmp_path: Path
) -> None:
    ran = lost(first=False)
    said = ran.said
    assert ran.result.exit_code is ExitCode.OK, said  # the re-check's: labels are no drift
    assert f"app: traffic moved to {ran.canary} (generation 3), then the service was " in said
    assert "changed meanwhile by someone else (generation 3 → 5, last modified by " in said, said
    assert "may have landed" not in said and "nothing was changed" not in said, said
    assert promoted_at(tmp_path, 3)["etag_after"] == UNREAD
    now = ran.sandbox.service(LAB, "app")
    assert now.latest_ready_revision.rsplit("/", 1)[-1] == ran.canary
    assert spec(now) == [(LATEST, "", 100, "")]


def test_a_lost_latest_promotion_proven_not_landed_is_cleaned_up(
    lost: Lost, tmp_path: Path
) -> None:
    ran = lost(first=True)
    said = ran.said
    assert ran.result.exit_code is ExitCode.ABORTED, said  # was 3
    assert f"moving traffic to {ran.canary} failed (UpdateService " in said, said
    assert "drift cleans up as at a declined prompt, keeping their change" in said, said
    assert "may have landed" not in said, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP, entry.history
    assert [(w["step"], w["landed"]) for w in entry.writes][:2] == [
        ("canary", True),
        ("promotion", False),
    ]
    now = ran.sandbox.service(LAB, "app")
    assert (now.labels["team"], now.labels["again"]) == ("theirs", "theirs")  # theirs kept
    assert spec(now) == [(LATEST, "", 100, "")]  # as before the fix, not pinned by name
    assert not any(tagged_change(t.tag) for t in (*now.traffic, *now.traffic_statuses))
    assert now.latest_ready_revision.rsplit("/", 1)[-1] != ran.canary


def test_a_lost_latest_promotion_then_a_deploy_stays_unknown(lost: Lost) -> None:
    """The control: their deploy after drift's promotion replaced the template, and a whole
    write (Terraform's) before it, the stale promotion refused, would read the same: whether
    drift's landed is not known, exit 3 (never 4, never 0)."""
    ran = lost(first=False, deploy=True)
    assert ran.result.exit_code is ExitCode.INCOMPLETE, ran.said
    assert "may have landed before their change" in ran.said, ran.said
