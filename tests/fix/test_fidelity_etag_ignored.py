"""revfidelity F1: Service.etag "May be used to detect modification conflict during updates"
(google/cloud/run/v2/service.proto) while AIP-154 says a stale etag "must" be refused with
ABORTED: sandbox option `stale_etag`. With a server that lets it through, a teammate's deploy
between drift's read and its canary write is replaced by drift's write; drift must say so,
not "leaves their change as it is", stop before promoting, and not exit 4."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Fault, Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, fix
from tests.sandbox.helpers import service_name


@pytest.mark.parametrize("answer", ["kept", "lost"])
def test_teammate_deploy_between_read_and_write_with_a_stale_etag_let_through(
    answer: str,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients: Clients,
) -> None:
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    theirs: list[str] = []

    def meddle(question: str) -> None:
        if not theirs:  # someone deploys between drift's read and its canary write
            done = sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])
            if answer == "lost":  # drift's write lands, its answer does not: told by the read
                sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=True, first_n=1))

    ui = ScriptedUI([True, True, True], on_confirm=meddle)
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    assert "leaves their change as it is" not in said
    assert "replaced their template" in said and theirs[0] in said
    assert f"--to-revisions {theirs[0]}=100" in said
    assert result.exit_code == ExitCode.DRIFT  # not 4: their change left the template
    assert len(ui.questions) == 1  # never asked to promote
    after = sandbox.service(PROJECT, "api")
    assert all(not s.tag for s in after.traffic_statuses)  # the canary's tag is gone
    names = {
        r.name.rsplit("/", 1)[-1]
        for r in clients.revisions.list_revisions(parent=service_name("api"))
    }
    assert theirs[0] in names  # their revision still exists
