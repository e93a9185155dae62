"""Tests that kill mutants of the safety invariants which the rest of the suite let survive
(revmutant: each names the mutation it kills; each passes on main)."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.canary
from drift import redact
from drift.cli.session import _logging
from drift.errors import Aborted, ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Fault, Sandbox
from tests.conftest import Clients, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import (
    LAB,
    PROJECT,
    ScriptedUI,
    assert_serves_as_before,
    fix,
    rollback,
)

CI_IMAGE = "us-central1-docker.pkg.dev/acme-chat-staging/acme-chat/api:v9-from-ci"

SECRET = "hunter2-Zq9-long-secret"


@pytest.fixture
def drift_log() -> Iterator[io.StringIO]:
    """drift's own log handler (as `--verbose` installs it), writing into a buffer."""
    logger = logging.getLogger("drift")
    saved = (logger.handlers[:], logger.level)
    _logging(True)
    buffer = io.StringIO()
    logger.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        logger.handlers[:], logger.level = saved[0], saved[1]


def test_the_log_masks_a_registered_secret_in_a_records_arguments(
    drift_log: io.StringIO,
) -> None:
    """SPEC invariant 1 ("no secret value … in any output, file, log"): a log record whose
    argument quotes a secret (a server's message, a value) is masked by drift's handler, and
    so is a cut-off prefix of it in a server's echo. Kills: `ScrubFilter.filter` without
    `scrub(mask(...))`."""
    redact.register(SECRET)
    logging.getLogger("drift.live.calls").warning("server said: %s", f"bad value {SECRET}")
    logging.getLogger("drift.live.calls").warning("echoed: %s", f"value {SECRET[:10]}…")
    out = drift_log.getvalue()
    assert SECRET not in out
    assert SECRET[:10] not in out
    assert out.count(redact.MASK) == 2


def _canary_read_back_as(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[run_v2.Service], None]
) -> None:
    """The canary write lands, but the service read back once it settled is not what drift
    sent (`change` applied to that read: a server that stores or routes otherwise)."""
    real = drift.fix.canary.settled

    async def settled(session: Any, name: str, revision: str = "", **kw: Any) -> Any:
        after = await real(session, name, revision, **kw)
        if revision:
            after = run_v2.Service.deserialize(run_v2.Service.serialize(after))
            change(after)
        return after

    monkeypatch.setattr(drift.fix.canary, "settled", settled)


def test_a_canary_whose_template_is_not_the_one_sent_is_never_promoted(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC invariant 2/4: the canary read back carries a variable the plan never named: that
    is not the patch drift proved, so no traffic moves to it, even with --yes. Kills:
    `_verify_canary` without its `template_key(after) != write.template_key` check."""
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")

    def extra_variable(after: run_v2.Service) -> None:
        after.template.containers[0].env.append(run_v2.EnvVar(name="INJECTED", value="x"))

    _canary_read_back_as(monkeypatch, extra_variable)
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    assert "the deployed template differs from the plan" in result.summary()
    (outcome,) = result.outcomes
    assert_serves_as_before(sandbox, LAB, "app", before, outcome.canary)


def test_a_canary_that_took_traffic_while_deploying_is_never_promoted(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC invariant 4/9: drift's canary write pins what served; if, read back, the canary
    serves (a server that moved traffic to it anyway), the fix stops and cleans up. Kills:
    `_verify_canary` without its `before != now` traffic check."""
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")

    def canary_serves(after: run_v2.Service) -> None:
        canary = after.latest_ready_revision.rsplit("/", 1)[-1]
        del after.traffic_statuses[:]
        after.traffic_statuses.append(
            run_v2.TrafficTargetStatus(
                type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
                revision=canary,
                percent=100,
            )
        )

    _canary_read_back_as(monkeypatch, canary_serves)
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    assert "traffic changed while deploying the canary" in result.summary()
    (outcome,) = result.outcomes
    assert_serves_as_before(sandbox, LAB, "app", before, outcome.canary)


def test_a_forced_rollback_that_leaves_another_deploy_serving_is_not_a_success(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    """SPEC invariant 10: rollback exits 0 only when what serves (`traffic_statuses`) is what
    served before. A CI deploy landed after drift's fix; `rollback --force` writes the
    configuration that served, but its revision cannot start (a secret version it reads was
    disabled): LATEST still resolves to the CI revision, which is neither what served nor the
    canary. Kills: `restoration_problem` without its `_serves_base` check (exit 0, "restored")."""
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.OK, result.summary()
    ci = sandbox.deploy(PROJECT, "api", image=CI_IMAGE)  # ready: LATEST resolves to it
    ci_revision = ci.latest_ready_revision.rsplit("/", 1)[-1]
    version = f"projects/{PROJECT}/secrets/database-url-staging/versions/1"
    clients.secrets.disable_secret_version(name=version)  # what served can no longer start
    # drift cannot read it: the rollback's revision fails unpredicted (`drift.fix.startable`)
    sandbox.inject(Fault("GetSecretVersion", "PERMISSION_DENIED"))
    rolled = rollback(tmp_path, force=True)
    text = rolled.summary()
    assert rolled.exit_code is ExitCode.ABORTED, text
    assert f"LATEST resolves to {ci_revision}, which does not run the configuration" in text
    assert "api" not in rolled.restored


def test_a_rollback_never_takes_the_canary_for_the_revision_that_served(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC invariant 10: traffic pinned to a named revision; after drift's fix the canary
    serves 100 %. Someone deploys the configuration that served again, without traffic (the
    pin stays on the canary). `rollback --force` finds the template already as it was, but the
    revisions named in the traffic are not those before: it must write the traffic back, not
    say "already serves what served before" while the canary serves. Kills:
    `restoration_problem` without its named-revisions comparison."""
    sandbox = make_sandbox(lab.lab_world(traffic=[{"revision": 1, "percent": 100}]))
    before = sandbox.service(LAB, "app")
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    (outcome,) = result.outcomes
    assert lab.shares(sandbox.service(LAB, "app")) == {outcome.canary: 100}
    sandbox.deploy(LAB, "app", env={"MODE": None, "DEBUG": "true"}, no_traffic=True)
    rolled = rollback(tmp_path, force=True)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    assert_serves_as_before(sandbox, LAB, "app", before, outcome.canary)
    assert lab.shares(sandbox.service(LAB, "app")) == lab.shares(before)


def test_a_tag_on_the_revision_that_served_stays_on_it_after_the_promotion(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC invariant 9 ("No other target, tag or percentage changes"): the serving revision
    is tagged `stable`; the promotion gives its traffic to the canary and keeps the tag on it
    (its URL still reaches the revision it named). Kills: `promoted_traffic` dropping the
    base revision's tag."""
    sandbox = make_sandbox(
        lab.lab_world(traffic=[{"revision": 1, "percent": 100, "tag": "stable"}])
    )
    before = sandbox.service(LAB, "app")
    (was,) = [t for t in before.traffic if t.tag == "stable"]
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    # exit 1: the re-check reports the tag still reaching the unpatched revision
    assert result.exit_code is ExitCode.DRIFT, result.summary()
    (outcome,) = result.outcomes
    after = sandbox.service(LAB, "app")
    assert lab.shares(after) == {outcome.canary: 100}
    assert [(t.revision, t.percent) for t in after.traffic if t.tag == "stable"] == [
        (was.revision, 0)
    ]


def test_a_variable_set_again_keeps_its_place_in_the_list(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC invariant 2 ("every other variable … survives byte for byte"): the order of the
    variables is part of the configuration (another order is another template, and a new
    revision), so a variable whose value the plan changes is replaced where it stands.
    Kills: `_changed_env` appending the new value at the end."""
    template = {
        "image": "us-docker.pkg.dev/lab/app:v1",
        "port": 8080,
        "env": {"MODE": "test", "URL": "https://$(MODE).example.com"},
    }
    sandbox = make_sandbox(lab.lab_world(template=template))
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    env = sandbox.service(LAB, "app").template.containers[0].env
    assert [(v.name, v.value) for v in env] == [
        ("MODE", "live"),
        ("URL", "https://$(MODE).example.com"),
    ]


def test_the_journal_records_the_promotion_before_it_is_sent(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC invariant 5 ("Before each write, the journal records what rollback needs"): when
    the promotion's UpdateService goes out, the journal on disk already says `promoting` and
    holds that write (its etag and generation), so a drift killed during it is rolled back
    from the right state. Kills: `_promote` without `journal.begin`."""
    sandbox = make_sandbox(lab.lab_world())
    real = drift.fix.canary.update_workload
    seen: list[tuple[str, list[str]]] = []

    async def update(session: Any, kind: Any, workload: Any, **kw: Any) -> Any:
        (entry,) = lab.entries(tmp_path)
        seen.append((entry.state, [w["step"] for w in entry.writes]))
        return await real(session, kind, workload, **kw)

    monkeypatch.setattr(drift.fix.canary, "update_workload", update)
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    assert seen == [
        ("canary-deploying", ["canary"]),
        ("promoting", ["canary", "promotion"]),
    ]


def test_a_lock_held_on_another_host_is_never_taken_over(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """SPEC invariant 11 ("One writer per service"): a journal shared between machines holds
    a fix's lock taken on `build-agent-7`, whose pid no process has *here*. Whether that
    process lives cannot be known from this host: the lock holds, the second fix exits 4 at
    once and writes nothing. Kills: `Holder.stale` judging another host's pid locally."""
    locks = tmp_path / ".drift" / "journal" / "locks"
    locks.mkdir(parents=True)
    lock = locks / "acme-chat-staging--us-central1--services--web.lock"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    held = {
        "change_id": "20261101-120000-away",
        "pid": gone.pid,
        "host": "build-agent-7",
        "started": "2026-11-01T12:00:00+00:00",
        "command": "fix",
    }
    lock.write_text(json.dumps(held))
    with pytest.raises(Aborted, match="being changed by change 20261101-120000-away"):
        fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web"])
    assert lab.updates(sandbox) == [] and json.loads(lock.read_text()) == held


def test_a_canary_write_the_server_refused_is_journaled_as_not_landed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC invariant 5 and "a write counts only when proven": the canary's UpdateService is
    refused (INVALID_ARGUMENT), nothing changed. The journal says that write did not land, and
    a rollback finds nothing to undo. Kills: `Journal.landed` recording every write as
    landed."""
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    sandbox.inject(Fault(method="UpdateService", code="INVALID_ARGUMENT", first_n=1))
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    (entry,) = lab.entries(tmp_path)
    assert [w["landed"] for w in entry.writes] == [False] and not entry.wrote
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    assert sandbox.service(LAB, "app").etag == before.etag
