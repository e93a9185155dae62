"""A promotion through LATEST (the service routed LATEST 100 % before the fix: the promotion
sends LATEST 100 % again, the canary's tag gone) whose answer was lost, and two writes of a
teammate's (labels: no revision) before drift reads the service back: two generations or more
past the canary's. Its routing is what served before the fix, so the routing alone proves
nothing (`drift.fix.promotion_lost`); the rest of what was read does:

- landed: the routing is the promotion's and the template is still the canary's, which no
  write that put back what served before (Terraform's whole service, a saved YAML) leaves: a
  completed fix, the re-check's exit code;
- not landed when read: the routing is still drift's pin, the canary's own tag included,
  which drift's promotion removes and only drift's canary write makes: traffic had not moved
  when read — which proves nothing of the promotion landing later (its answer was lost: the
  server may still carry it out, `drift.fix.lost_answer`). Not known (task 847): exit 3, the
  entry left `promoting`, the lock kept, nothing cleaned up (a clean-up's read may come
  before the late promotion), `drift rollback CHANGE` named. helper-713 made it "cleaned up
  as when their write came first", exit 4.

Before helper-713, both were exit 3, "may have landed before their change"."""

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
    sent: list[Any]  # each UpdateService drift sent: the canary's, the promotion


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
    deploys, then labels it; `once`: labels it once) before (`first`) or after drift's
    promotion is carried out, then drift's call answers UNAVAILABLE (the answer lost,
    whatever the server said: before, it refused the stale etag, AIP-154). `traffic`: the
    service's routing before the fix instead (one by revision name)."""

    def run(*, first: bool, deploy: bool = False, once: bool = False, traffic: Any = None) -> Ran:
        sandbox = make_sandbox(lab.lab_world(traffic=traffic))
        clients = clients_for(sandbox)
        real = fix_canary.update_workload
        sent: list[Any] = []

        def theirs() -> None:
            if deploy:  # a CI deploy (traffic kept as it is), then a label
                sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2-from-ci")
            for key in ("team", "again")[deploy : 1 if once else 2]:
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
        return Ran(sandbox, result, outcome.canary, result.summary(), sent)

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


def test_a_lost_latest_promotion_not_landed_when_read_is_not_known(
    lost: Lost, tmp_path: Path
) -> None:
    ran = lost(first=True)
    said = " ".join(ran.said.split())
    assert ran.result.exit_code is ExitCode.INCOMPLETE, said  # was 4, cleaned up (task 847)
    assert f"moving traffic to {ran.canary} was sent, its answer was lost (" in said, said
    assert "drift's may have landed before theirs, or may land over them yet" in said, said
    assert "cleans up" not in said and "nothing was changed" not in said, said
    (entry,) = entries(tmp_path)
    assert f"drift keeps its lock: `drift rollback {entry.change_id}`" in said, said
    assert entry.state == State.PROMOTING, entry.history  # as begun
    assert [(w["step"], w["landed"]) for w in entry.writes] == [
        ("canary", True),
        ("promotion", None),
    ]
    assert list((lab.journal(tmp_path).directory / "locks").glob("*.lock")), "lock freed"
    now = ran.sandbox.service(LAB, "app")
    assert any(tagged_change(t.tag) for t in now.traffic)  # nothing cleaned up yet
    # the rollback named, unforced, restores it keeping their labels (task 860): as
    # test_promotion_lost_rollback.py shows; before, it was refused until `--force`


def test_a_lost_promotion_with_one_write_of_theirs_is_not_known(lost: Lost, tmp_path: Path) -> None:
    """One label of theirs before drift's promotion, its answer lost (task 847; 845 did the
    canary's and the restoring writes' alike): routed as drift's canary pinned it, one
    generation on, it was "moving traffic … failed", journaled aborted and cleaned up at once,
    exit 4 — while the late promotion could land after the clean-up. Not known: exit 3, the
    entry left `promoting`, the lock kept, nothing cleaned up."""
    ran = lost(first=True, once=True)
    said = " ".join(ran.said.split())
    assert ran.result.exit_code is ExitCode.INCOMPLETE, said  # was 4
    assert "the service reads back with someone else's write alone (generation " in said, said
    assert "failed" not in said and "cleans up" not in said, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTING and entry.writes[-1]["landed"] is None, entry.history
    assert f"drift keeps its lock: `drift rollback {entry.change_id}`" in said, said
    assert list((lab.journal(tmp_path).directory / "locks").glob("*.lock")), "lock freed"
    assert any(tagged_change(t.tag) for t in ran.sandbox.service(LAB, "app").traffic)


def test_a_lost_latest_promotion_then_a_deploy_stays_unknown(lost: Lost) -> None:
    """The control: their deploy after drift's promotion replaced the template, and a whole
    write (Terraform's) before it, the stale promotion refused, would read the same: whether
    drift's landed is not known, exit 3 (never 4, never 0)."""
    ran = lost(first=False, deploy=True)
    assert ran.result.exit_code is ExitCode.INCOMPLETE, ran.said
    said = " ".join(ran.said.split())
    assert "drift's may have landed before theirs, or may land over them yet" in said, said
