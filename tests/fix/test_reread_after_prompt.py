"""SPEC invariant 4: "`fix` aborts if the service changed after it was read (etag)". A write
confirmed at a prompt is built from a read made before that prompt (the plan's read for the
canary write and for a job's or pool's update; the read after the canary for the promotion).
Cloud Run v2 promises no ABORTED for a stale etag (service.proto: the etag "May be used to
detect modification conflict during updates"; sandbox option `stale_etag: ignored`), so drift
reads the workload once more right after the answer, as `drift rollback` does
(`rollback_restore.restore_all`), and writes nothing to it when it was written since: exit 4,
their write stands (revwritecode F1). With `--yes` no prompt waited and no read is added."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, entries, fix, updates
from tests.fix.test_fidelity_etag_ignored import meddle_at_the_promotion


@pytest.fixture
def lenient(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    return sandbox


def gets(sandbox: Sandbox) -> int:
    return sum(1 for c in sandbox.calls if c.short == "GetService")


@pytest.mark.parametrize("write", ["deploy", "traffic"])
def test_a_write_at_the_promotion_prompt_is_not_overwritten(
    write: str,
    lenient: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients: Clients,
) -> None:
    sandbox = lenient
    monkeypatch.setattr(sandbox.scenario.options, "same_name_same_config", "reuse")
    theirs, meddle = meddle_at_the_promotion(sandbox, clients, write)
    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    assert theirs and len(ui.questions) == 2
    (outcome,) = result.outcomes
    # the promotion is never sent: no write of drift's gives the canary any traffic
    assert not [
        u
        for u in updates(sandbox)
        if any(t.revision == outcome.canary and t.percent for t in u.service.traffic)
    ], said
    assert result.exit_code == ExitCode.ABORTED, said
    assert "changed meanwhile by someone else (generation" in said, said
    assert "last modified by deployer@example.com" in said, said
    assert f"did not move traffic to its canary {outcome.canary}" in said, said
    assert f"`drift rollback {result.change_id}` removes it" in said, said
    assert "replaced what they wrote" not in said, said
    after = sandbox.service(PROJECT, "api")
    assert not any(
        s.revision.rsplit("/", 1)[-1] == outcome.canary and s.percent
        for s in after.traffic_statuses
    ), said
    if write == "deploy":  # their revision serves, as their deploy asked
        assert any(s.revision.endswith(theirs[0]) and s.percent for s in after.traffic_statuses)
    (entry,) = entries(tmp_path)
    assert entry.state != State.PROMOTED
    assert [w["step"] for w in entry.writes] == ["canary"]


def test_a_deploy_at_the_first_prompt_is_not_overwritten(
    lenient: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    sandbox = lenient
    theirs: list[str] = []

    def meddle(question: str) -> None:
        if not theirs:  # someone deploys while the fix's first prompt waits
            done = sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])

    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    after = sandbox.service(PROJECT, "api")
    env_names = {v.name: v.value for v in after.template.containers[0].env}
    # nothing written after the prompt (the service changed since the plan's read): exit 4,
    # their template (LOG_LEVEL=WARNING) stays the service's template
    assert result.exit_code == ExitCode.ABORTED, said
    assert env_names.get("LOG_LEVEL") == "WARNING", said
    assert not [u for u in updates(sandbox) if not u.validate_only], said
    assert "api changed after drift read it, while the prompt waited (generation" in said, said
    assert "last modified by deployer@example.com" in said and "nothing was changed" in said
    assert entries(tmp_path) == []  # nothing was begun: nothing to roll back
    assert len(ui.questions) == 1


def test_one_read_after_each_prompt_and_none_with_yes(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """The read after a prompt costs one GetService for each confirmed write, and `--yes`
    (no prompt) none at all."""
    yes = fix(tmp_path / "yes", env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert yes.exit_code == ExitCode.OK, yes.summary()
    unasked = gets(sandbox)
    sandbox.reset()  # the same service, drifted again: calls counted from 0
    asked = fix(tmp_path / "asked", env, ScriptedUI([True, True]), FixOptions(), services=["api"])
    assert asked.exit_code == ExitCode.OK, asked.summary()
    assert gets(sandbox) == unasked + 2  # one after the first prompt, one after the second


def test_a_service_that_cannot_be_read_again_is_not_written(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """The read after the prompt fails: nothing is written (the write would rest on a read
    older than the prompt), said, exit 4."""

    def unreadable(question: str) -> None:
        sandbox.inject(Fault("GetService", "UNAVAILABLE"))

    result = fix(tmp_path, env, ScriptedUI([True], on_confirm=unreadable), FixOptions(), ["api"])
    said = result.summary()
    assert result.exit_code == ExitCode.ABORTED, said
    assert "could not be read again after the prompt" in said and "nothing was written" in said
    assert not [u for u in updates(sandbox) if not u.validate_only], said
