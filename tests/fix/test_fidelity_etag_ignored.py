"""revfidelity F1: Service.etag "May be used to detect modification conflict during updates"
(google/cloud/run/v2/service.proto) while AIP-154 says a stale etag "must" be refused with
ABORTED: sandbox option `stale_etag`. With a server that lets it through, a teammate's deploy
between drift's read and its canary write is replaced by drift's write; drift must say so,
not "leaves their change as it is", stop before promoting, and not exit 4. A write made before
drift's read right before its write (after the lock and any prompt) is caught before drift
writes (`drift.fix.reread`, tests/fix/test_reread_before_write.py); these writes land later,
between that read and drift's write: only the read after drift's write can tell."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.canary
import drift.fix.restore
from drift.errors import ApiError, ExitCode
from drift.fix.apply import FixOptions, FixResult
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, before_the_write, entries, fix, rollback
from tests.sandbox.helpers import service_name


@pytest.mark.parametrize("answer", ["kept", "lost"])
def test_teammate_deploy_between_read_and_write_with_a_stale_etag_let_through(
    answer: str,
    lenient: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox = lenient
    theirs: list[str] = []

    def meddle(question: str) -> None:
        if not theirs:  # someone deploys between drift's read and its canary write
            done = sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])
            if answer == "lost":  # drift's write lands, its answer does not: told by the read
                sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=True, first_n=1))

    before_the_write(monkeypatch, 1, meddle)
    ui = ScriptedUI([True, True, True])
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    assert "leaves their change as it is" not in said
    assert "replaced their template" in said and theirs[0] in said
    assert f"--to-revisions={theirs[0]}=100" in said
    assert result.exit_code == ExitCode.DRIFT  # not 4: their change left the template
    assert len(ui.questions) == 1  # never asked to promote
    after = sandbox.service(PROJECT, "api")
    assert all(not s.tag for s in after.traffic_statuses)  # the canary's tag is gone
    names = {
        r.name.rsplit("/", 1)[-1]
        for r in clients.revisions.list_revisions(parent=service_name("api"))
    }
    assert theirs[0] in names  # their revision still exists


@pytest.mark.parametrize("stale_etag", ["aborted", "ignored"])
@pytest.mark.parametrize("step", ["canary", "promotion"])
def test_a_label_after_a_write_whose_answer_was_lost(
    step: str,
    stale_etag: str,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fixown80c (revown80 F1's shape on the canary path): drift's canary write or its
    promotion lands, its answer is lost, then a teammate labels the service (their etag
    current: any server takes it). The read back, two generations past drift's read, carries
    drift's template and traffic: only their label, not as drift sent it, shows their write
    came after drift's. drift never says its write replaced theirs (that the server let its
    stale etag through); it leaves their label and exits 4 — for the promotion, a completed
    fix (the re-check's 0): its routing (LATEST, as before the fix) over the canary's template,
    which no write putting back what served before leaves, proves it landed (helper-713; it
    was 3, "may have landed", helper-678: `drift.fix.promotion_lost`)."""
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    real = drift.fix.canary.update_workload
    lost = labelled_after_its_answer_was_lost(real, sandbox, clients)
    sent: list[str] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        sent.append(request.name)
        if len(sent) != (1 if step == "canary" else 2):
            return await real(session, kind, request, **kw)
        return await lost(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.canary, "update_workload", update_workload)
    result = fix(tmp_path, env, ScriptedUI([True, True]), FixOptions(), services=["api"])
    if step == "canary":
        said = label_kept_order_unknown(result, sandbox, tmp_path, State.ABORTED)
        assert "drift leaves their change as it is" in said, said
    else:  # was 3 (helper-678), and 4 before it
        said = label_kept_order_unknown(result, sandbox, tmp_path, State.PROMOTED, ExitCode.OK)
        assert "then the service was changed meanwhile by someone else" in said, said
        assert "their change stands" in said and "may have landed" not in said, said
    assert "someone else wrote the service" not in said, said
    assert "replaced" not in said and "did not refuse drift's stale etag" not in said, said


def labelled_after_its_answer_was_lost(
    real: Callable[..., Awaitable[Any]], sandbox: Sandbox, clients: Clients
) -> Callable[..., Awaitable[Any]]:
    """`real` (drift's UpdateService) made to land with its answer lost (UNAVAILABLE after
    the call), after which a teammate labels the service, their etag current."""

    async def landed_unanswered(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=True, first_n=1))
        try:
            return await real(session, kind, request, **kw)
        except ApiError:  # drift's write landed: their label comes after it
            service = clients.services.get_service(name=service_name("api"))
            service.labels["cost-center"] = "42"
            clients.services.update_service(service=service).result()
            raise

    return landed_unanswered


def label_kept_order_unknown(
    result: FixResult,
    sandbox: Sandbox,
    tmp_path: Path,
    state: State,
    code: ExitCode = ExitCode.ABORTED,
) -> str:
    """After `labelled_after_its_answer_was_lost`: their label stays, the fix exits `code`
    and its one entry (`state`) never records drift's write as landed over theirs. The
    summary."""
    said = result.summary()
    assert sandbox.service(PROJECT, "api").labels["cost-center"] == "42"
    assert result.exit_code == code, said
    (entry,) = entries(tmp_path)
    assert entry.state == state
    assert "landed over" not in entry.history[-1]["note"]
    return said


def meddle_at_the_promotion(
    sandbox: Sandbox, clients: Clients, write: str
) -> tuple[list[str], Callable[[str], None]]:
    """At the promotion prompt someone writes: `deploy` (a new revision; the sandbox reuses
    the canary's by name, as Knative does, so drift's promotion can land over it) or
    `traffic` (they pin all traffic to the revision that serves); or right before the
    promotion is sent (`before_the_write`). Returns the revision their
    deploy created ("" for a traffic write), once made, and the prompt's hook."""
    theirs: list[str] = []

    def meddle(question: str) -> None:
        if not question.startswith("Move all traffic") or theirs:
            return
        if write == "deploy":
            done = sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])
            return
        service = clients.services.get_service(name=service_name("api"))
        served = next(s for s in service.traffic_statuses if s.percent)
        service.traffic = [
            run_v2.TrafficTarget(
                type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
                revision=served.revision.rsplit("/", 1)[-1],
                percent=100,
            )
        ]
        clients.services.update_service(service=service).result()
        theirs.append("")

    return theirs, meddle


@pytest.mark.parametrize("answer", ["kept", "lost"])
@pytest.mark.parametrize("write", ["deploy", "traffic"])
def test_a_write_before_the_promotion_with_a_stale_etag_let_through(
    write: str,
    answer: str,
    lenient: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients: Clients,
) -> None:
    """Someone writes after the canary is ready, once the promotion prompt was answered and
    the service read again, right before drift's promotion is sent: drift's promotion,
    its etag stale, lands on top of their write. Traffic did move to the canary (journal
    `promoted`), their change is gone: said, with their revision and how to serve it again,
    never "traffic moved to" alone nor "leaves their change as it is"; exit 1."""
    sandbox = lenient
    monkeypatch.setattr(sandbox.scenario.options, "same_name_same_config", "reuse")
    theirs, meddle = meddle_at_the_promotion(sandbox, clients, write)

    def then(question: str) -> None:
        meddle(question)
        if answer == "lost" and question.startswith("Move all traffic"):
            sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=True, first_n=1))

    before_the_write(monkeypatch, 2, then)
    ui = ScriptedUI([True, True])
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    (outcome,) = result.outcomes
    assert theirs and len(ui.questions) == 2, said
    assert "leaves their change as it is" not in said and "may have landed" not in said
    assert f"traffic moved to {outcome.canary} (" not in said
    assert "drift's promotion (generation" in said and "replaced what they wrote" in said, said
    if write == "deploy":
        assert f"revision {theirs[0]} by deployer@example.com" in said, said
        assert f"--to-revisions={theirs[0]}=100" in said
    else:
        assert "no revision created by them" in said, said
    assert "would restore what served before drift's read, not their change" in said
    assert result.exit_code == ExitCode.DRIFT, said  # not 4, not 0
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTED
    assert "over someone else's write" in entry.history[-1]["note"]
    assert [(w["step"], w["landed"]) for w in entry.writes] == [
        ("canary", True),
        ("promotion", True),
    ]
    after = sandbox.service(PROJECT, "api")
    assert {s.revision.rsplit("/", 1)[-1] for s in after.traffic_statuses if s.percent} == {
        outcome.canary
    }
    names = {
        r.name.rsplit("/", 1)[-1]
        for r in clients.revisions.list_revisions(parent=service_name("api"))
    }
    assert not theirs[0] or theirs[0] in names  # their revision still exists


@pytest.mark.parametrize("write", ["deploy", "traffic"])
def test_a_write_before_the_promotion_with_the_stale_etag_refused(
    write: str,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control (`stale_etag: aborted`, the default): the promotion is refused, their
    write is left as it is, nothing says drift replaced it; exit 4 as before."""
    theirs, meddle = meddle_at_the_promotion(sandbox, clients, write)
    before_the_write(monkeypatch, 2, meddle)
    ui = ScriptedUI([True, True])
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    assert theirs and "replaced their template" not in said
    assert "changed meanwhile by someone else" in said, said
    assert result.exit_code == ExitCode.ABORTED, said
    (entry,) = entries(tmp_path)
    assert entry.state != State.PROMOTED


def deploy_before_the_restoration(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Someone deploys between drift's read for its restoration (an abort's cleanup, a
    rollback) and its write: the revision their deploy created, once made."""
    real = drift.fix.restore.update_workload
    theirs: list[str] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if not theirs:
            done = sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.restore, "update_workload", update_workload)
    return theirs


@pytest.mark.parametrize("stale_etag", ["ignored", "aborted"])
def test_a_deploy_before_the_cleanup_write(
    stale_etag: str,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The promotion declined, drift cleans up; someone deploys between its read and its
    write. `ignored`: drift's cleanup write replaced their deploy: said (their revision, how
    to serve it again), never "nothing is left to roll back", exit 1. `aborted`: refused,
    nothing claims drift replaced it."""
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    theirs = deploy_before_the_restoration(sandbox, monkeypatch)
    result = fix(tmp_path, env, ScriptedUI([True, False]), FixOptions(), services=["api"])
    said = result.summary()
    assert theirs, said
    if stale_etag == "aborted":
        assert "replaced their write" not in said, said
        assert result.exit_code == ExitCode.ABORTED, said
        return
    assert "drift's cleanup write" in said and "replaced their write" in said, said
    assert f"revision {theirs[0]} by deployer@example.com" in said, said
    assert f"--to-revisions={theirs[0]}=100" in said
    assert "nothing is left to roll back" not in said
    assert result.exit_code == ExitCode.DRIFT, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    assert "landed over someone else's write" in entry.history[-1]["note"]


@pytest.mark.parametrize("stale_etag", ["aborted", "ignored"])
def test_a_label_after_a_cleanup_write_whose_answer_was_lost(
    stale_etag: str,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fixown80d: the promotion declined, drift's cleanup write lands, its answer is lost,
    then a teammate labels the service (their etag current). The read back, two generations
    past drift's read, carries drift's restoration but not their label as drift sent it:
    which write came first is not known (`drift.fix.readback.as_sent`). drift never says its
    cleanup write replaced theirs; their label stays, exit 4."""
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    real = drift.fix.restore.update_workload
    lost = labelled_after_its_answer_was_lost(real, sandbox, clients)

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        monkeypatch.setattr(drift.fix.restore, "update_workload", real)  # its first write only
        return await lost(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.restore, "update_workload", update_workload)
    result = fix(tmp_path, env, ScriptedUI([True, False]), FixOptions(), services=["api"])
    said = label_kept_order_unknown(result, sandbox, tmp_path, State.CLEANUP_FAILED)
    assert "landed over" not in said and "replaced their write" not in said, said
    assert "drift's write may have landed before that" in said, said


def test_a_deploy_before_the_rollback_write(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`drift rollback` of a pinned canary; someone deploys between its read and its write,
    and the server lets drift's stale etag through: the rollback says drift's write landed
    over theirs, never that all is restored and nothing more."""
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    result = fix(tmp_path, env, ScriptedUI([True]), FixOptions(promote=False), services=["api"])
    assert "--no-promote" in result.summary()
    theirs = deploy_before_the_restoration(sandbox, monkeypatch)
    ui = ScriptedUI()
    done = rollback(tmp_path, ui)
    said = "\n".join(ui.said)
    assert theirs, said
    assert "landed over someone else's write" in said, said
    assert "their change is no longer in the service" in said
    # never a plain success: the summary says what was lost, the exit is not 0
    assert done.exit_code is not ExitCode.OK, done.summary()
    assert "replaced someone else's write" in done.summary(), done.summary()
    (entry,) = entries(tmp_path)
    assert "landed over someone else's write" in entry.history[-1]["note"]
