"""A canary a fix left behind (the fix was killed, or stopped before its promotion): what
check, plan and fix advise about it. Never `--to-latest` — that would send all traffic to a
revision nothing proved — but `drift rollback` of its change, which removes it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import drift.fix.canary
from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import Clients, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, PROJECT, ScriptedUI, assert_serves_as_before, entries


def killed(request: Any) -> None:
    """The fix stops as if killed once its canary write has landed, before it reads it."""
    raise KeyboardInterrupt


def test_a_canary_left_is_advised_away_with_drift_rollback(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    with monkeypatch.context() as patched:
        lab.after_the_canary_write(patched, killed)
        with pytest.raises(Interrupted):
            lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    (entry,) = entries(tmp_path)
    assert entry.state == State.CANARY_DEPLOYING
    assert sandbox.service(LAB, "app").template.revision == entry.canary_revision
    done = lab.lab_cli(sandbox, tmp_path, "plan", "lab")
    text = done.stdout + done.stderr
    assert "--to-latest" not in text, text
    # said from its journal entry here, as `drift fix` stops at it (revown61a F1)
    canary = f"the canary {entry.canary_revision} of change {entry.change_id}"
    assert f"{canary}, left by a fix that did not finish: canary-deploying" in text, text
    assert f"drift rollback {entry.change_id}" in text
    assert lab.rollback(tmp_path, change_id=entry.change_id).exit_code == 0
    assert_serves_as_before(sandbox, LAB, "app", before, entry.canary_revision)


def test_a_canary_tag_removed_before_the_probe_is_not_blamed_on_the_canary(
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Someone removes drift's canary tag (`update-traffic --remove-tags drift-…`) right
    before the probe: the probe through the tag URL fails. drift says the tag was removed,
    does not blame the canary, and cleans up around their routing (`keep_routing`): the
    template the next deploy builds on is what served again, the traffic stays pinned by name
    as their write left it (drift's pin or theirs: the service cannot tell), and the command
    that routes LATEST again is named (helper-592 F1; it used to leave its canary, its
    template and its pin for `drift rollback --force`)."""
    before = sandbox.service(PROJECT, "api")
    real = drift.fix.canary.prove
    name = f"projects/{PROJECT}/locations/us-central1/services/api"

    async def prove(ctx: Any, live: Any, serving: str, outcome: Any, *rest: Any) -> str:
        service = clients.services.get_service(name=name)
        kept = [t for t in service.traffic if not t.tag.startswith("drift-")]
        del service.traffic[:]
        service.traffic.extend(kept)
        service.client, service.client_version = "gcloud", "467.0.0"
        clients.services.update_service(service=service).result()
        return await real(ctx, live, serving, outcome, *rest)

    monkeypatch.setattr(drift.fix.canary, "prove", prove)
    result = lab.fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["api"])
    (outcome,) = result.outcomes
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    assert f"its tag {outcome.tag} was removed meanwhile by someone else" in outcome.message
    assert "the canary failed its probe" not in outcome.message
    said = outcome.message
    assert "keeping their routing" in said and "nothing is left to roll back" in said, said
    assert "--force" not in said, said
    now = sandbox.service(PROJECT, "api")
    assert lab.shares(now) == lab.shares(before) and not any(t.tag for t in now.traffic), said
    assert now.template.containers[0].env == before.template.containers[0].env, said
    back = re.search(r"if that pin is not theirs: (gcloud [^)]+)\)", said)
    assert back, said
    shares, moved, removed = lab.gcloud_words(back.group(1))
    sandbox.update_traffic(PROJECT, "api", shares, update_tags=moved, remove_tags=removed)
    assert_serves_as_before(sandbox, PROJECT, "api", before, outcome.canary)  # as it said
