"""revfix90 F3: a teammate's deploy (Terraform, say: their own template, not built on drift's
canary) is still rolling out when drift judges it, at the promotion prompt's answer ("yes" or
"no"). Their revision is not ready *yet*: drift took that for a revision that cannot serve
("Their revision … is not ready, so LATEST would send traffic to drift's canary: drift leaves
its pin"), so its pin by name stayed, and once their deploy finished — ready — it got no
traffic at all while their tool said it had deployed (SPEC invariant 9: drift leaves no trap
for the team's next deploy). A deploy in progress has "transient values" in
`latest_ready_revision` and `traffic_statuses` (run/v2 `Service.reconciling`): drift waits for
it to settle, then judges it as for any deploy of theirs — freed when it is ready; its pin
kept, as before, when it failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, shares, spec

IMAGE = "us-docker.pkg.dev/lab/app:v9"


def _their_deploy(sandbox: Sandbox, clients: Any, before: run_v2.Service, failure: str | None):
    """At the promotion prompt, a teammate's Terraform apply: the service's template as it
    was before drift (their configuration, a new image), the traffic as read; it settles (ready
    or failed) while drift waits on it, a moment after drift has read the service again."""
    sent: list[Any] = []

    def deploy(question: str) -> None:
        if not question.startswith("Move all traffic") or sent:
            return
        service = clients.services.get_service(name=lab.lab_name())
        template = run_v2.RevisionTemplate.serialize(before.template)
        service.template = run_v2.RevisionTemplate.deserialize(template)
        service.template.revision = ""
        service.template.containers[0].image = IMAGE
        service.client, service.client_version = "terraform", "1.9.0"
        sandbox.hold_deploys(True)
        sent.append(clients.services.update_service(service=service))

    return sent, deploy


def _settle_after_reads(
    monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, reads: int, failure: str | None
) -> None:
    """Their deploy settles once drift has read the service `reads` more times."""
    import drift.fix.update

    real = drift.fix.update.get_service
    seen: list[int] = []

    async def get_service(session: Any, name: str) -> Any:
        now = await real(session, name)
        if now.reconciling:
            seen.append(1)
            if len(seen) == reads:
                sandbox.finish_deploy(LAB, "app", failure=failure)
                sandbox.hold_deploys(False)
        return now

    monkeypatch.setattr(drift.fix.update, "get_service", get_service)


@pytest.mark.parametrize("answer", [True, False], ids=["yes", "no"])
def test_their_deploy_in_progress_at_the_prompt_serves_once_ready(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: bool,
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    sent, deploy = _their_deploy(sandbox, clients_for(sandbox), before, None)
    _settle_after_reads(monkeypatch, sandbox, 1, None)
    ui = ScriptedUI([True, answer], on_confirm=deploy)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert sent and result.exit_code is ExitCode.ABORTED, said
    assert "is not ready" not in said, said
    now = sandbox.service(LAB, "app")
    theirs = now.latest_created_revision.rsplit("/", 1)[-1]
    assert now.latest_ready_revision == now.latest_created_revision, said
    assert spec(now) == [("TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "", 100, "")], said
    assert shares(now) == {theirs: 100}, said
    assert now.template.containers[0].image == IMAGE, said  # their deploy stands


def test_their_deploy_that_fails_once_settled_keeps_the_pin(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Settled failed: LATEST would resolve to drift's canary, so the pin stays (as before)."""
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    sent, deploy = _their_deploy(sandbox, clients_for(sandbox), before, "no such image")
    _settle_after_reads(monkeypatch, sandbox, 1, "no such image")
    ui = ScriptedUI([True, False], on_confirm=deploy)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert sent and result.exit_code is ExitCode.ABORTED, said
    assert "LATEST would send traffic to drift's canary" in said, said
    now = sandbox.service(LAB, "app")
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    assert shares(now) == {served: 100}, said
