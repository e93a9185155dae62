"""revwritecode F1: `drift fix` writes after its prompts with the etag of a read made before
them, and never reads the service again (`canary._promote` builds the promotion from
`self.after`, read before the promotion prompt; the canary write from the plan's read, made
before the first prompt). Cloud Run v2 promises no ABORTED for a stale etag (service.proto:
the etag "May be used to detect modification conflict during updates"; sandbox option
`stale_etag: ignored`), so a teammate's write made while a prompt waits is replaced by drift's
write: SPEC invariant 4 ("`fix` aborts if the service changed after it was read"). `drift
rollback` already reads each service again right before its write after a prompt
(`rollback_restore.restore_all`), and refuses: the fix should do the same, and write nothing.

These tests are expected to FAIL on main (a reviewer's repro)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, fix, updates
from tests.fix.test_fidelity_etag_ignored import meddle_at_the_promotion


@pytest.fixture
def lenient(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    return sandbox


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
    assert theirs and len(ui.questions) == 2
    their_service = [u for u in updates(sandbox) if not u.validate_only]
    # what should happen: the promotion is not sent over their write (read again after the
    # prompt, as rollback does): exit 4, their write stands
    assert result.exit_code == ExitCode.ABORTED, result.summary()
    assert len(their_service) == 2, [u.service.traffic for u in their_service]  # canary + theirs
    (outcome,) = result.outcomes
    after = sandbox.service(PROJECT, "api")
    assert not any(
        s.revision.rsplit("/", 1)[-1] == outcome.canary and s.percent
        for s in after.traffic_statuses
    ), result.summary()


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
    after = sandbox.service(PROJECT, "api")
    env_names = {v.name: v.value for v in after.template.containers[0].env}
    # what should happen: nothing written after the prompt (the service changed since the
    # plan's read): exit 4, their template (LOG_LEVEL=WARNING) stays the service's template
    assert result.exit_code == ExitCode.ABORTED, result.summary()
    assert env_names.get("LOG_LEVEL") == "WARNING", result.summary()
    assert not [u for u in updates(sandbox) if u.service.template.revision.startswith("api-drift-")]
