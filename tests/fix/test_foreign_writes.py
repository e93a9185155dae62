"""A change someone else makes while a fix runs is never undone without `--force` (SPEC
invariants 4 and 10): a deploy that lands between drift's canary write and drift's read of
how it settled stops the fix without cleanup, the journal records drift's own write at the
generation it gave the service, and `drift rollback` refuses until `--force`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.canary
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    assert_serves_as_before,
    entries,
    lab_fix,
    lab_world,
    rollback,
    updates,
)

CI_IMAGE = "us-docker.pkg.dev/lab/app:v2-from-ci"


def deploy_after_the_canary(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI pipeline's `gcloud run deploy --image CI_IMAGE` lands right after drift's canary
    write, before drift reads how the canary settled."""
    real = drift.fix.canary.settled
    deployed: list[Any] = []

    async def settled(session: Any, name: str, revision: str = "", **kw: Any) -> Any:
        if revision and not deployed:
            deployed.append(sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("ci-bot", "1.2")))
        return await real(session, name, revision, **kw)

    monkeypatch.setattr(drift.fix.canary, "settled", settled)


def test_a_deploy_during_the_canary_rollout_is_left_alone(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab_world())
    before = sandbox.service(LAB, "app")
    deploy_after_the_canary(sandbox, monkeypatch)
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    (outcome,) = result.outcomes
    theirs = sandbox.service(LAB, "app")
    assert theirs.template.containers[0].image == CI_IMAGE  # not undone
    assert theirs.generation == before.generation + 2
    assert "changed meanwhile by someone else" in outcome.message
    assert f"generation {before.generation + 1} → {theirs.generation}" in outcome.message
    assert f"last modified by {theirs.last_modifier} with ci-bot 1.2" in outcome.message
    assert f"`drift rollback {result.change_id} --force`" in outcome.message
    assert "restored the routing" not in outcome.message
    (entry,) = entries(tmp_path)
    assert entry.state == State.ABORTED
    assert [(w["step"], w["generation_after"], w["landed"]) for w in entry.writes] == [
        ("canary", before.generation + 1, True)  # drift's own write, not theirs
    ]
    sandbox.clear_calls()
    refused = rollback(tmp_path)
    assert refused.exit_code is ExitCode.ABORTED
    assert "was changed since drift's last write" in refused.summary()
    assert updates(sandbox) == []
    assert sandbox.service(LAB, "app").etag == theirs.etag
    assert rollback(tmp_path, force=True).exit_code is ExitCode.OK
    assert_serves_as_before(sandbox, LAB, "app", before, outcome.canary)
