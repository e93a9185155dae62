"""`drift fix` and `drift rollback` under faults at each step: the update, its operation, the
canary's readiness, the canary probe, the promotion, the cleanup after an abort, and rollback
itself. Whatever fails, the service serves what it served before (or what the journal says it
serves), the journal tells the truth about what was written, an abort puts back the routing
that served when it can, and `drift rollback` restores the service when it could not."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.journal import Journal, State
from drift.fix.rollback import RollbackResult, run_rollback
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from drift.sandbox import Fault, Sandbox, mint_test_jwt
from drift.settings import Settings
from tests.cliutil import REPO
from tests.conftest import TEMPLATE_READINGS, Clients, template_defaults
from tests.fix.conftest import assert_serves_as_before, before_the_write, shares
from tests.reliability.conftest import ScriptedUI, fast_settings
from tests.timewarp import warp_sessions

PROJECT = "acme-chat-staging"
PROMOTED = "promoted"  # the fix went through (retried, or read back from the service)
NOTHING = "nothing-written"  # stopped before any write took effect
CLEANED = "cleaned-up"  # aborted after the canary; the cleanup put back the routing that served
LEFT = "left"  # aborted with a canary the cleanup could not remove; rollback removes it
UNKNOWN = "not-known"  # its answer lost, read back unchanged: it may still land (task 831)


@dataclass(frozen=True)
class Case:
    faults: tuple[Fault, ...]
    expect: str
    when: str = "start"  # start | deploy (at the canary prompt) | promote (at the promotion prompt)
    service: str = "web"  # web has no probe: the fix is quick
    setup: str = ""  # disable-secret | break-canary
    lost: str = (
        ""  # the state a write whose answer was lost, read back unchanged, leaves (831, 841)
    )


def lost(method: str, code: str | None, **kw: object) -> Fault:
    """A call that takes effect but whose answer is lost."""
    return Fault(method, code, after=True, **kw)  # type: ignore[arg-type]


CASES: dict[str, Case] = {
    # the canary's UpdateService
    "update-unavailable": Case((Fault("UpdateService", "UNAVAILABLE"),), UNKNOWN),
    "update-deadline-exceeded": Case((Fault("UpdateService", "DEADLINE_EXCEEDED"),), UNKNOWN),
    "update-resource-exhausted": Case((Fault("UpdateService", "RESOURCE_EXHAUSTED"),), NOTHING),
    "update-permission-denied": Case((Fault("UpdateService", "PERMISSION_DENIED"),), NOTHING),
    "update-not-found": Case((Fault("UpdateService", "NOT_FOUND"),), NOTHING),
    "update-internal": Case((Fault("UpdateService", "INTERNAL"),), UNKNOWN),
    "update-unavailable-transient": Case(
        (Fault("UpdateService", "UNAVAILABLE", first_n=1),), PROMOTED
    ),
    "update-latency-spike": Case(
        (Fault("UpdateService", None, latency_ms=3000, first_n=1),), PROMOTED
    ),
    "update-answer-lost-deadline": Case(
        (lost("UpdateService", "DEADLINE_EXCEEDED", first_n=1),), PROMOTED
    ),
    "update-answer-lost-latency": Case(
        (lost("UpdateService", None, latency_ms=3000, first_n=1),), PROMOTED
    ),
    "update-every-answer-lost": Case((lost("UpdateService", "UNAVAILABLE"),), PROMOTED),
    # its long-running operation (followed on the service when it cannot be polled)
    "operation-unavailable-transient": Case(
        (Fault("GetOperation", "UNAVAILABLE", first_n=1),), PROMOTED
    ),
    "operation-unavailable": Case((Fault("GetOperation", "UNAVAILABLE"),), PROMOTED),
    "operation-permission-denied": Case((Fault("GetOperation", "PERMISSION_DENIED"),), PROMOTED),
    "operation-internal": Case((Fault("GetOperation", "INTERNAL"),), PROMOTED),
    "operation-latency-spike": Case(
        (Fault("GetOperation", None, latency_ms=3000, first_n=1),), PROMOTED
    ),
    "operation-error-revision-failed": Case(
        (), CLEANED, when="deploy", service="auth", setup="disable-secret"
    ),
    # the canary's readiness: the service cannot be read back after the update (armed right
    # before the canary write, after the read right before it: `drift.fix.reread`)
    "readiness-unreadable": Case((Fault("GetService", "UNAVAILABLE"),), LEFT, "canary-write"),
    "readiness-denied": Case((Fault("GetService", "PERMISSION_DENIED"),), LEFT, "canary-write"),
    # the canary probe
    "probe-canary-fails": Case((), CLEANED, service="api", setup="break-canary"),
    # the promotion (and the cleanup after it, under the same fault)
    "promotion-unavailable": Case(
        (Fault("UpdateService", "UNAVAILABLE"),), LEFT, "promote", lost=State.PROMOTING
    ),
    "promotion-deadline-exceeded": Case(
        (Fault("UpdateService", "DEADLINE_EXCEEDED"),), LEFT, "promote", lost=State.PROMOTING
    ),
    "promotion-permission-denied": Case(
        (Fault("UpdateService", "PERMISSION_DENIED"),), LEFT, "promote"
    ),
    "promotion-unreadable": Case(
        (Fault("UpdateService", "UNAVAILABLE"), Fault("GetService", "UNAVAILABLE")),
        LEFT,
        "promote",
    ),
    "promotion-fails-once": Case(
        (Fault("UpdateService", "PERMISSION_DENIED", first_n=1),), CLEANED, "promote"
    ),
    # the cleanup's own write (after the canary failed its probe): its answer lost, as the
    # canary's was
    "cleanup-answer-lost": Case(
        (lost("UpdateService", "PERMISSION_DENIED", first_n=2),),
        CLEANED,
        "deploy",
        service="api",
        setup="break-canary",
    ),
    "promotion-answer-lost": Case((lost("UpdateService", "UNAVAILABLE"),), PROMOTED, "promote"),
    "promotion-operation-lost": Case((Fault("GetOperation", "UNAVAILABLE"),), PROMOTED, "promote"),
}


@functools.cache
def e2e_profile() -> Profile:
    """The repository's e2e profile, loaded once: a Profile is frozen, and its `${…}` are
    resolved from each fix's `environ` (the fixes, not the loading, are what is tested)."""
    return load_profile(REPO / "profiles", "e2e")


@dataclass
class Run:
    sandbox: Sandbox
    settings: Settings
    environ: dict[str, str]
    said: list[str] = field(default_factory=list)

    def fix(self, service: str, ui: ScriptedUI, options: FixOptions) -> FixResult:
        profile = e2e_profile()
        try:
            return asyncio.run(
                run_fix(
                    profile, self.settings, ui, options, services=[service], environ=self.environ
                )
            )
        finally:
            self.said.extend(ui.said)

    def rollback(self) -> RollbackResult:
        ui = ScriptedUI()
        try:
            return asyncio.run(run_rollback(self.settings, ui, None, yes=True))
        finally:
            self.said.extend(ui.said)

    def journal(self) -> Journal:
        return Journal(self.settings.journal_dir)


@pytest.fixture(params=TEMPLATE_READINGS)
def sandbox(sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """Every test of this module holds under both `TEMPLATE_READINGS`: whether drift's write
    landed is judged from what it reads back (helper-556 S1)."""
    with template_defaults(sandbox, request.param):
        yield sandbox


@pytest.fixture
def run(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    environ = {
        **sandbox.environ(),
        "ACME_TEST_JWT": mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging")),
    }
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    warp_sessions(monkeypatch)  # the backoffs of fix and rollback pass at once
    return Run(sandbox, fast_settings(journal_dir=tmp_path / "journal"), environ)


def serving(service: run_v2.Service) -> set[tuple[str, int]]:
    return set(shares(service).items())


def traffic(service: run_v2.Service) -> list[tuple[int, int, str]]:
    return [(int(t.type_), t.percent, t.tag) for t in service.traffic]


@pytest.mark.parametrize("name", list(CASES))
def test_fix_fails_safely_and_rollback_restores(
    run: Run, clients: Clients, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    sandbox = run.sandbox
    if case.setup == "break-canary":
        # REDIS_HOST is required by the backend and no patch can set it: the canary, like
        # the live revision, closes 1011
        sandbox.set_env(PROJECT, case.service, "REDIS_HOST", None)
    before = sandbox.service(PROJECT, case.service)

    def arm(question: str) -> None:
        step = "deploy" if question.startswith("Deploy") else "promote"
        if step != case.when:
            return
        for fault in case.faults:
            sandbox.inject(fault)
        if case.setup == "disable-secret":  # the canary's revision cannot start
            clients.secrets.disable_secret_version(
                name=f"projects/{PROJECT}/secrets/e2e-oauth-simulation-key-staging/versions/1"
            )

    if case.when == "start":
        for fault in case.faults:
            sandbox.inject(fault)

    def inject(question: str) -> None:
        for fault in case.faults:
            sandbox.inject(fault)

    if case.when == "canary-write":
        before_the_write(monkeypatch, 1, inject)
    ui = ScriptedUI([True, True], on_confirm=arm)
    options = FixOptions(yes=False, verify=case.service == "api")
    result = run.fix(case.service, ui, options)
    message = result.summary()
    assert "Traceback" not in message
    sandbox.clear_faults()
    after = sandbox.service(PROJECT, case.service)
    (entry,) = run.journal().entries()

    if case.expect == PROMOTED:
        assert result.exit_code is ExitCode.OK, message
        assert entry.state == State.PROMOTED
        assert serving(after) == {(entry.canary_revision, 100)}
    elif case.expect == UNKNOWN:  # not "nothing was changed": it may land (`lost_answer`)
        assert result.exit_code is ExitCode.INCOMPLETE, message
        assert entry.state == State.CANARY_DEPLOYING and entry.writes[-1]["landed"] is None
        assert after.etag == before.etag  # as read once: nothing landed yet
        assert "nothing was changed" not in message, message
        assert "reads back unchanged" in message, message
        assert f"`drift rollback {entry.change_id}`" in message, message
    else:  # a clean-up whose own answer was lost, read back unchanged: not known (task 831)
        lost = bool(case.lost)
        assert entry.state == case.lost or not lost, entry.history
        assert (entry.state == State.CLEANING_UP) <= lost, entry.history
        assert ("reads back unchanged" in message) is lost, message
        assert result.exit_code is (ExitCode.INCOMPLETE if lost else ExitCode.ABORTED), message
        if case.expect == NOTHING:
            assert entry.state == State.ABORTED
            assert after.etag == before.etag  # nothing was written
            assert "nothing was changed" in message
        elif case.expect == CLEANED:
            assert entry.state == State.CLEANED_UP, entry.history
            assert "restored the routing" in message
            assert_serves_as_before(sandbox, PROJECT, case.service, before, entry.canary_revision)
        else:
            assert serving(after) == serving(before)  # traffic never moved
            refused = entry.writes[-1]["landed"] is False  # a cleanup refused: nothing written
            assert entry.state in (
                State.CANARY_FAILED,
                State.CLEANUP_FAILED,
                State.PROMOTING,
                State.CLEANING_UP,
            ) or (refused and entry.state == State.ABORTED), entry.history
            assert f"drift rollback {entry.change_id}" in message

    rolled = run.rollback()
    restored = sandbox.service(PROJECT, case.service)
    (entry,) = run.journal().entries()
    if case.expect in (NOTHING, UNKNOWN):  # UNKNOWN: as read now, nothing applied: ended
        assert rolled.restored == [] and restored.etag == before.etag
        assert entry.state == State.ABORTED and rolled.exit_code is ExitCode.OK
    elif case.expect == CLEANED:
        assert rolled.restored == [] and "nothing left to roll back" in rolled.summary()
    else:
        assert rolled.restored == [case.service] and entry.state == State.ROLLED_BACK
        assert rolled.exit_code is ExitCode.OK
    assert restored.template.containers == before.template.containers
    assert traffic(restored) == traffic(before)
    if case.expect != PROMOTED:
        assert_serves_as_before(sandbox, PROJECT, case.service, before, entry.canary_revision)
    assert not any(t.tag.startswith("drift-") for t in restored.traffic)


LOST = "rollback-update-unavailable"  # its answer lost, read back unchanged: not known (831)
ROLLBACK_CASES: dict[str, tuple[tuple[Fault, ...], bool]] = {
    # faults while rolling back, and whether the first rollback gets through
    "rollback-unreadable": ((Fault("GetService", "UNAVAILABLE"),), False),
    "rollback-update-denied": ((Fault("UpdateService", "PERMISSION_DENIED"),), False),
    "rollback-update-unavailable": ((Fault("UpdateService", "UNAVAILABLE"),), False),
    "rollback-answer-lost": ((lost("UpdateService", "UNAVAILABLE", first_n=1),), True),
    "rollback-operation-lost": ((Fault("GetOperation", "UNAVAILABLE"),), True),
    "rollback-latency-spike": ((Fault("UpdateService", None, latency_ms=3000, first_n=1),), True),
}


@pytest.mark.parametrize("name", [n for n in CASES if "lost" in n])
def test_lost_answers_with_a_stale_etag_let_through(
    run: Run, clients: Clients, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same cases, where a write's answer or operation is lost, on a server that lets a
    stale etag through (option `stale_etag`; run v2's etag "May be used to detect
    modification conflict during updates"): drift never sends a write again once the
    service's etag moved (`drift.fix.update`), so each ends as it does where ABORTED
    refuses the repeat."""
    monkeypatch.setattr(run.sandbox.scenario.options, "stale_etag", "ignored")
    test_fix_fails_safely_and_rollback_restores(run, clients, name, monkeypatch)


@pytest.mark.parametrize("name", list(ROLLBACK_CASES))
def test_rollback_under_faults_can_always_be_finished(run: Run, name: str) -> None:
    faults, first_gets_through = ROLLBACK_CASES[name]
    sandbox = run.sandbox
    before = sandbox.service(PROJECT, "web")
    run.fix("web", ScriptedUI(), FixOptions(yes=True))
    for fault in faults:
        sandbox.inject(fault)
    first = run.rollback()
    if first.exit_code in (ExitCode.ABORTED, ExitCode.INCOMPLETE):
        assert not first_gets_through, first.summary()
        (entry,) = run.journal().entries()
        assert (first.exit_code is ExitCode.INCOMPLETE) is (name == LOST), first.summary()
        if name == LOST:
            assert entry.state == State.ROLLING_BACK, entry.history  # not known (task 831)
            assert "reads back unchanged" in first.summary(), first.summary()
        else:
            assert entry.state in (State.PROMOTED, State.ROLLBACK_FAILED)  # what happened, told
        sandbox.clear_faults()
        assert run.rollback().exit_code is ExitCode.OK  # run again
    else:
        assert first_gets_through and first.exit_code is ExitCode.OK
    sandbox.clear_faults()
    (entry,) = run.journal().entries()
    assert entry.state == State.ROLLED_BACK
    restored = sandbox.service(PROJECT, "web")
    assert restored.template.containers == before.template.containers
    assert traffic(restored) == traffic(before)


def test_a_lost_answer_still_applies_the_call(sandbox: Sandbox, clients: Clients) -> None:
    """The sandbox's `after` faults: the write is made, the client only sees the error."""
    from google.api_core import exceptions

    name = f"projects/{PROJECT}/secrets/jwt-secret-staging/versions/2"
    sandbox.inject(lost("DisableSecretVersion", "DEADLINE_EXCEEDED"))
    with pytest.raises(exceptions.DeadlineExceeded):
        clients.secrets.disable_secret_version(name=name, retry=None)
    sandbox.clear_faults()
    assert clients.secrets.get_secret_version(name=name).state.name == "DISABLED"


@pytest.mark.parametrize("etag", [True, False])
def test_a_write_is_retried_only_as_the_same_request_with_its_etag(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, etag: bool
) -> None:
    from drift.errors import ApiError
    from drift.fix.update import update_workload
    from drift.kinds import Kind
    from drift.live.calls import CallRunner
    from drift.live.session import Session

    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    service = sandbox.service(PROJECT, "web")
    service.description = "changed by the test"
    if not etag:
        service.etag = ""
    sandbox.inject(Fault("UpdateService", "UNAVAILABLE", first_n=1))

    async def write() -> None:
        access = fast_settings().access()
        async with Session(access, CallRunner(access.limits, seed=0)) as session:
            await update_workload(session, Kind.SERVICE, service)

    if etag:
        asyncio.run(write())
    else:
        with pytest.raises(ApiError, match="UNAVAILABLE"):
            asyncio.run(write())
    requests = [c.request for c in sandbox.calls if c.short == "UpdateService"]
    assert len(requests) == (2 if etag else 1)
    assert all(r == requests[0] for r in requests)  # the very same request


def test_promotion_refused_while_someone_deployed(
    run: Run, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21 item 1: after the promotion prompt (and the read that follows it,
    `drift.fix.reread`) a third party deploys a new image with LATEST 100 %; the promotion is
    refused (etag). The recovery compared only the traffic (LATEST 100 % = LATEST 100 %) and
    said "traffic moved", exit 0, journal `promoted`."""
    sandbox = run.sandbox
    name = f"projects/{PROJECT}/locations/us-central1/services/web"
    theirs = "us-central1-docker.pkg.dev/acme-chat-staging/acme-chat/web:v3.3.0"

    def deploy(question: str) -> None:
        if question.startswith("Move all traffic"):
            service = clients.services.get_service(name=name)
            service.template.containers[0].image = theirs
            service.template.revision = ""
            service.traffic = [
                run_v2.TrafficTarget(
                    type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST,
                    percent=100,
                )
            ]
            clients.services.update_service(service=service).result()

    before_the_write(monkeypatch, 2, deploy)
    result = run.fix("web", ScriptedUI([True, True]), FixOptions())
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    text = result.summary()
    assert "traffic moved" not in text and "changed meanwhile by someone else" in text
    (entry,) = run.journal().entries()
    assert entry.state == State.ABORTED and entry.writes[-1]["landed"] is False
    after = sandbox.service(PROJECT, "web")
    ((revision, _),) = shares(after).items()
    assert revision != entry.canary_revision and f"LATEST 100% → {revision}" in text
    assert after.template.containers[0].image == theirs  # drift did not touch their deploy
    assert run.rollback().exit_code is ExitCode.ABORTED  # nor would rollback, without --force


def test_a_journal_write_failing_after_the_canary(run: Run) -> None:
    """Issue 21 item 5: the journal could not be written after the canary was deployed:
    "internal error: IsADirectoryError", exit 2, the canary left and not mentioned. The canary
    and its pin are left, the journal behind them: incomplete, exit 3 — never 4, "nothing
    changed" (helper-661 B3)."""
    sandbox = run.sandbox
    before = sandbox.service(PROJECT, "web")
    broken: list[Path] = []

    def break_journal(question: str) -> None:
        if question.startswith("Move all traffic"):
            (path,) = run.settings.journal().glob("*.json")
            path.unlink()
            path.mkdir()  # the entry's path became a directory
            broken.append(path)

    writes = len([c for c in sandbox.calls if c.short == "UpdateService"])
    result = run.fix("web", ScriptedUI([True, True], on_confirm=break_journal), FixOptions())
    assert broken and result.exit_code is ExitCode.INCOMPLETE, result.summary()
    (outcome,) = result.outcomes
    text = result.summary()
    assert f"cannot write the journal entry {broken[0]}" in text
    assert f"The canary {outcome.canary} is deployed with no traffic (tag {outcome.tag})" in text
    assert f"gcloud run services update-traffic web --remove-tags {outcome.tag}" in text
    assert "internal error" not in text and "\n" not in outcome.message
    # nothing more was written: no promotion, traffic where it was
    assert len([c for c in sandbox.calls if c.short == "UpdateService"]) == writes + 1
    assert serving(sandbox.service(PROJECT, "web")) == serving(before)


def test_credentials_failing_mid_fix(run: Run) -> None:
    """Credentials rejected after the canary exists (UNAUTHENTICATED): one message saying
    where things stand and how to undo them, exit 4; rollback restores once they work."""
    sandbox = run.sandbox
    before = sandbox.service(PROJECT, "web")

    def expire(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.inject(Fault("*", "UNAUTHENTICATED", match="services/web"))

    result = run.fix("web", ScriptedUI([True, True], on_confirm=expire), FixOptions())
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    (outcome,) = result.outcomes
    assert outcome.message.startswith("web: stopped: ") and "UNAUTHENTICATED" in outcome.message
    assert f"drift rollback {result.change_id}" in outcome.message
    sandbox.clear_faults()
    assert run.rollback().exit_code is ExitCode.OK
    (entry,) = run.journal().entries()
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)
