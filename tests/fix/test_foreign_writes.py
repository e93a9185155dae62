"""What the service says after drift's canary write, and what drift makes of it. A change
someone else makes while a fix runs is never undone without `--force` (SPEC invariants 4 and
10): a deploy that lands between drift's canary write and drift's read of how it settled stops
the fix without cleanup, the journal records drift's own write at the generation it gave the
service. Nor is it left trapped under drift's pin (invariant 9): one traffic-only write puts
the routing back as before drift (LATEST), keeps their template, and drops the canary's tag;
then nothing is left to roll back. A canary whose tag has no URL cannot be probed: that is no
proof, and only an explicit "yes" promotes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.canary
import drift.fix.lock
from drift.errors import ApiError, ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import Clients, ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, PROJECT, ScriptedUI, assert_serves_as_before, entries
from tests.fix.test_lock import as_killed

CI_IMAGE = "us-docker.pkg.dev/lab/app:v2-from-ci"
LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"


OWN = {"DEBUG": "true", "MODE": None}
"""A CI template's own variables: what served before drift (none of drift's change)."""


def deploy_after_the_canary(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI pipeline's deploy of its own whole template (what served, a new image: Terraform)
    lands right after drift's canary write, before drift reads how the canary settled. (One
    built on the canary's template holds drift's change: tests/fix/test_pin_freed.py.)"""
    real = drift.fix.canary.settled
    deployed: list[Any] = []

    async def settled(session: Any, name: str, revision: str = "", **kw: Any) -> Any:
        if revision and not deployed:
            deployed.append(
                sandbox.deploy(LAB, "app", image=CI_IMAGE, env=OWN, client=("ci-bot", "1.2"))
            )
        return await real(session, name, revision, **kw)

    monkeypatch.setattr(drift.fix.canary, "settled", settled)


def freed(sandbox: Sandbox, canary: str, tag: str) -> run_v2.Service:
    """Their deploy serves, routed as before drift (LATEST 100 %), with their template; the
    canary has neither traffic nor its tag (GetService)."""
    theirs = sandbox.service(LAB, "app")
    assert theirs.template.containers[0].image == CI_IMAGE  # not undone
    assert lab.spec(theirs) == [(LATEST, "", 100, "")], lab.spec(theirs)
    ready = theirs.latest_ready_revision.rsplit("/", 1)[-1]
    assert ready != canary and lab.shares(theirs) == {ready: 100}
    assert not any(t.tag == tag for t in theirs.traffic_statuses)
    return theirs


def test_a_deploy_during_the_canary_rollout_is_left_alone_and_freed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    deploy_after_the_canary(sandbox, monkeypatch)
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    (outcome,) = result.outcomes
    theirs = freed(sandbox, outcome.canary, outcome.tag)
    assert theirs.generation == before.generation + 3  # canary, their deploy, drift's freeing
    assert "changed meanwhile by someone else" in outcome.message
    assert f"generation {before.generation + 1} → {before.generation + 2}" in outcome.message
    assert "with ci-bot 1.2" in outcome.message
    assert "drift freed it with a traffic-only update, keeping their template" in outcome.message
    assert "nothing is left to roll back" in outcome.message
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    assert [(w["step"], w["generation_after"], w["landed"]) for w in entry.writes] == [
        ("canary", before.generation + 1, True),  # drift's own write, not theirs
        ("untrap", theirs.generation, True),
    ]
    sandbox.clear_calls()
    done = lab.rollback(tmp_path)
    assert done.exit_code is ExitCode.OK and "nothing left to roll back" in done.summary()
    assert lab.updates(sandbox) == []
    assert sandbox.service(LAB, "app").etag == theirs.etag


def without_tag_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cloud Run gives the canary's tag no URL (as with `default_uri_disabled`)."""
    real = drift.fix.canary.settled

    async def settled(session: Any, name: str, revision: str = "", **kw: Any) -> Any:
        service = await real(session, name, revision, **kw)
        for status in service.traffic_statuses:
            status.uri = ""
        return service

    monkeypatch.setattr(drift.fix.canary, "settled", settled)


def test_a_canary_that_cannot_be_probed_is_not_promoted_with_yes(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sandbox.service(PROJECT, "api")
    without_tag_urls(monkeypatch)
    result = lab.fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    (outcome,) = result.outcomes
    assert "api: the canary could not be probed: its tag" in outcome.message
    assert "--no-verify" in outcome.message and outcome.confirmed is None
    assert_serves_as_before(sandbox, PROJECT, "api", before, outcome.canary)


def test_a_canary_that_cannot_be_probed_is_promoted_only_when_told(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_tag_urls(monkeypatch)
    ui = ScriptedUI([True, True])
    result = lab.fix(tmp_path, env, ui, FixOptions(), services=["api"])
    (outcome,) = result.outcomes
    assert any("the canary could not be probed" in line for line in ui.said), ui.said
    assert ui.questions[-1] == (
        f"Move all traffic of api to {outcome.canary} (NOT verified: it could not be probed)?"
    )
    assert outcome.state == State.PROMOTED and outcome.confirmed is None
    assert outcome.canary_probe is None


def lost_answer_then_deploy(
    sandbox: Sandbox, clients: Clients, monkeypatch: pytest.MonkeyPatch, *, untag: bool
) -> None:
    """The canary write lands but its answer is lost (UNAVAILABLE), and before drift reads the
    service a CI pipeline deploys (`gcloud run deploy`: pinned traffic stays pinned, the
    canary's tag kept) — and, with `untag`, removes the canary's tag as well."""

    def deploy(request: Any) -> None:
        sandbox.deploy(LAB, "app", image=CI_IMAGE, env=OWN, client=("ci-bot", "1.2"))
        if untag:
            service = clients.services.get_service(name=request.name)
            kept = [t for t in service.traffic if not t.tag.startswith("drift-")]
            del service.traffic[:]
            service.traffic.extend(kept)
            clients.services.update_service(service=service).result()
        raise ApiError("UpdateService", request.name, "UNAVAILABLE", "the answer was lost")

    lab.after_the_canary_write(monkeypatch, deploy)


@pytest.mark.parametrize("untag", [False, True], ids=["tag-kept", "tag-removed"])
def test_a_deploy_after_a_canary_whose_answer_was_lost_is_not_called_nothing(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    untag: bool,
) -> None:
    """The service's template is the CI's, yet drift's canary exists: drift never says
    "nothing was changed", the journal keeps the canary write (outcome unknown), and the pin
    it left under their deploy (its tag kept or not) is freed."""
    sandbox = make_sandbox(lab.lab_world())
    lost_answer_then_deploy(sandbox, clients_for(sandbox), monkeypatch, untag=untag)
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    (outcome,) = result.outcomes
    assert "nothing was changed" not in result.summary()
    assert f"after drift deployed the canary {outcome.canary}" in outcome.message
    assert "changed meanwhile by someone else" in outcome.message
    assert "drift freed it" in outcome.message
    freed(sandbox, outcome.canary, outcome.tag)
    (entry,) = entries(tmp_path)
    assert [(w["step"], w["landed"]) for w in entry.writes] == [
        ("canary", None),
        ("untrap", True),
    ]
    done = lab.rollback(tmp_path)
    assert done.exit_code is ExitCode.OK and "nothing left to roll back" in done.summary()


def test_a_deploy_that_beat_the_canary_write_is_nothing_changed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: CI deploys first, drift's canary write is refused (etag): no canary
    exists, and "nothing was changed" is the truth."""
    sandbox = make_sandbox(lab.lab_world())
    real = drift.fix.canary.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        sandbox.deploy(LAB, "app", image=CI_IMAGE, env=OWN, client=("ci-bot", "1.2"))
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.canary, "update_workload", update_workload)
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    assert "nothing was changed" in result.summary()
    (entry,) = entries(tmp_path)
    assert not entry.wrote


def test_a_promotion_whose_answer_was_lost_then_a_deploy_is_unknown_not_failed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The promotion lands, CI deploys, then drift sees UNAVAILABLE: two writes since drift's
    canary, the first may be drift's. Neither "failed" nor journaled as not landed: unknown,
    and a rollback refuses without --force (it would undo their deploy). Its routing, LATEST
    100 % as before the fix, proves nothing (their deploy could have written it: Terraform
    writes its whole traffic block): it may have landed, exit 3, never 4 ("nothing changed";
    helper-678; one whose routing names the canary: tests/fix/test_promotion_lost.py)."""
    sandbox = make_sandbox(lab.lab_world())
    writes: list[Any] = []

    def then(request: Any) -> None:
        writes.append(request)
        if len(writes) == 2:  # the promotion has landed
            sandbox.deploy(LAB, "app", image=CI_IMAGE, env=OWN, client=("ci-bot", "1.2"))
            raise ApiError("UpdateService", request.name, "UNAVAILABLE", "the answer was lost")

    lab.after_the_canary_write(monkeypatch, then)
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.INCOMPLETE, result.summary()  # was 4
    (outcome,) = result.outcomes
    said = " ".join(outcome.message.split())  # its entry as begun, its lock kept (task 847)
    assert f"moving traffic to {outcome.canary} was sent, its answer was lost (" in said, said
    assert "drift's may have landed before theirs, or may land over them yet" in said, said
    assert entries(tmp_path)[0].state == State.PROMOTING, said
    assert "failed" not in outcome.message and "nothing was changed" not in result.summary()
    assert outcome.message in result.stopped()  # the run's error annotation says why
    (entry,) = entries(tmp_path)
    assert [(w["step"], w["landed"]) for w in entry.writes] == [
        ("canary", True),
        ("promotion", None),
    ]
    refused = lab.rollback(tmp_path)
    assert refused.exit_code is ExitCode.ABORTED
    assert "was changed since drift's last write" in refused.summary()
    assert sandbox.service(LAB, "app").template.containers[0].image == CI_IMAGE


class Killed(BaseException):
    """kill -9: nothing of drift's runs after it (no except clause of drift's catches it)."""


def test_a_fix_killed_before_its_canary_was_sent_then_a_deploy_is_nothing_to_roll_back(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between journaling the canary and sending it; then CI deploys. No canary
    revision (GetRevision: NOT_FOUND) and no drift tag: drift wrote nothing, so rollback
    records that and has nothing to roll back — never a `--force` that would undo CI's
    deploy."""
    sandbox = make_sandbox(lab.lab_world())

    async def killed(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        raise Killed()

    with monkeypatch.context() as m:
        m.setattr(drift.fix.canary, "update_workload", killed)
        with pytest.raises(Killed):
            lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("ci-bot", "1.2"))
    theirs = sandbox.service(LAB, "app")
    sandbox.clear_calls()
    done = lab.rollback(tmp_path)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert "nothing left to roll back" in done.summary() and "--force" not in done.summary()
    assert done.skipped == ["app: nothing was applied (the canary was never created)"]
    assert lab.updates(sandbox) == []
    assert sandbox.service(LAB, "app").etag == theirs.etag
    (entry,) = entries(tmp_path)
    assert entry.state == State.ABORTED and not entry.wrote
    assert lab.rollback(tmp_path).exit_code is ExitCode.OK


def test_a_refused_rollback_of_a_killed_fix_keeps_its_lock(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed (kill -9: its lock left) right after its promotion landed; then a teammate
    changes the service. The rollback takes the stopped change's lock over, is refused
    (changed since) and writes nothing: the lock stays as it was found, byte for byte, and
    says so, so `drift fix` stays refused on the unfinished change (never silently freed),
    naming the fix that stopped — not the rollback, which wrote nothing (it used to leave its
    own lock there: the next fix said a *rollback* was stopped mid-change)."""
    sandbox = make_sandbox(lab.lab_world())
    real = drift.fix.canary.update_workload
    writes: list[int] = []

    async def dying(*args: Any, **kw: Any) -> Any:
        answer = await real(*args, **kw)
        writes.append(1)
        if len(writes) == 2:  # the promotion landed; the process dies before journaling it
            raise Killed()
        return answer

    with monkeypatch.context() as m:
        m.setattr(drift.fix.canary, "update_workload", dying)
        m.setattr(drift.fix.lock.Locks, "release", lambda self: None)
        with pytest.raises(Killed):
            lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    locks = tmp_path / ".drift" / "journal" / "locks"
    as_killed(locks)
    (lock,) = locks.glob("*--services--*.lock")
    found = lock.read_bytes()
    sandbox.set_env(LAB, "app", "DEBUG", "1")  # a teammate, after the kill
    refused = lab.lab_cli(sandbox, tmp_path, "rollback", "--yes")  # a process of its own
    said = refused.stdout + refused.stderr
    assert refused.returncode == 4, said
    assert "rolling back would undo what of their change the lines above list" in said
    assert lock.read_bytes() == found  # as it was found: not rewritten as the rollback's
    assert "lock change" in said and "stays as it was" in said, said
    again = lab.lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    said = again.stdout + again.stderr
    assert again.returncode == 4, said
    assert (
        "stopped mid-change, or ended with its outcome not known" in said and "(fix, pid" in said
    ), said
    assert "(rollback, pid" not in said, said
    assert lock.read_bytes() == found


@pytest.mark.parametrize(
    ("status", "detail", "stale"),
    [
        ("ABORTED", "The etag provided does not match the current etag", True),
        ("ABORTED", "concurrent modification", True),  # code.proto: a concurrency issue
        ("FAILED_PRECONDITION", "etag mismatch: reread and retry", True),
        # revown25 2: a name holding the letters "etag" made any refusal "changed since"
        ("FAILED_PRECONDITION", "Revision metagraph-00003-abc is not ready", False),
        ("FAILED_PRECONDITION", "Revision 'etag-api-00002-xyz' failed to start", False),
        ("FAILED_PRECONDITION", "projects/p/locations/r/services/etag: not ready", False),
        ("INVALID_ARGUMENT", "bad etag", False),
    ],
)
def test_only_a_refusal_for_the_etag_reads_as_changed_since(
    status: str, detail: str, stale: bool
) -> None:
    from drift.fix.update import stale_etag

    error = ApiError("UpdateService", "projects/p/locations/r/services/metagraph", status, detail)
    assert stale_etag(error) is stale
