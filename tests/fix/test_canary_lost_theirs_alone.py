"""Task 845 (841 item 3 on the canary deploy): someone deploys the service between drift's
read and its canary write, and the canary write is answered UNAVAILABLE on each attempt before
the server takes it (not the server's refusal). The service reads back one generation on with
their write alone, and no canary. It was "deploying the canary failed …; nothing was
changed", exit 4, journaled aborted, the lock freed; but their write moving the etag proves no
refusal of drift's request (run v2's Service.etag "May be used to detect modification conflict
during updates"; `drift.fix.lost_answer.theirs_alone`): it may still land over theirs. Not
known: exit 3, the entry left `canary-deploying` as begun, its lock kept, `drift rollback
CHANGE` named. Each attempt refused by the server stays "nothing was changed".

Task 847: so with two writes of theirs (two generations on), no canary — it was still "nothing
was changed", exit 4. Nothing documented refuses a request two writes stale either, nor one
naming a revision never created (`RevisionTemplate.revision`: "The unique name for the
revision"). On a server that lets the stale etag through (the sandbox's `stale_etag:
ignored`), the request lands late, over theirs, and `drift rollback --force` removes the
canary it made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.canary
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, entries, env_by_name, fix, journal, rollback


def their_deploy_then(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, code: str, twice: bool = False
) -> None:
    """Their deploy right before drift's canary write (`twice`: two of them), then each of
    its attempts answered `code` before the server takes it."""
    real = drift.fix.canary.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
        if twice:
            sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "ERROR")
        sandbox.inject(Fault("UpdateService", code))
        try:
            return await real(session, kind, request, **kw)
        finally:
            sandbox.clear_faults()

    monkeypatch.setattr(drift.fix.canary, "update_workload", update_workload)


LOST_OR_DENIED = pytest.mark.parametrize(
    ("code", "known"), [("UNAVAILABLE", False), ("PERMISSION_DENIED", True)], ids=["lost", "denied"]
)
"""Each attempt's answer lost before the server takes it, or each refused by it (`known`)."""


@pytest.mark.parametrize("writes", [1, 2])
@LOST_OR_DENIED
def test_a_canary_lost_with_their_deploys_alone(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    known: bool,
    writes: int,
) -> None:
    if writes == 2:  # for drift's request to land late, over theirs
        monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    their_deploy_then(sandbox, monkeypatch, code, twice=writes == 2)
    done = fix(tmp_path, env, ScriptedUI([True]), FixOptions(), services=["api"])
    text = " ".join(done.summary().split())
    (entry,) = entries(tmp_path)
    locks = list((journal(tmp_path).directory / "locks").glob("*.lock"))
    generation = sandbox.service(PROJECT, "api").generation
    assert generation == entry.writes[-1]["generation_before"] + writes
    if known:  # refused on each attempt: nothing was written, as before
        assert done.exit_code is ExitCode.ABORTED and "nothing was changed" in text, text
        assert entry.state == State.ABORTED and not locks, entry.history
        return
    assert done.exit_code is ExitCode.INCOMPLETE, text
    assert "nothing was changed" not in text and "nothing was written" not in text, text
    theirs = (  # task 847: two on
        "someone else's write alone"
        if writes == 1
        else "drift's may have landed before theirs, or may land over them yet"
    )
    assert theirs in text, text
    assert f"`drift rollback {entry.change_id}`" in text, text
    assert entry.state == State.CANARY_DEPLOYING and entry.writes[-1]["landed"] is None
    assert locks, "lock freed"
    if writes == 1:
        back = rollback(tmp_path)  # no canary read: the change ends, their deploy stands
        assert back.exit_code is ExitCode.OK, back.summary()
        assert entries(tmp_path)[0].state != State.CANARY_DEPLOYING
        assert env_by_name(sandbox.service(PROJECT, "api"))["LOG_LEVEL"].value == "WARNING"
        return
    (*_, late) = [c.request for c in sandbox.calls if c.short == "UpdateService"]
    clients.services.update_service(request=late).result(timeout=10)  # it lands, late
    assert sandbox.service(PROJECT, "api").template.revision == entry.canary_revision
    assert env_by_name(sandbox.service(PROJECT, "api"))["LOG_LEVEL"].value != "ERROR"  # gone
    back = rollback(tmp_path, force=True)
    assert back.exit_code is ExitCode.OK, back.summary()
    assert sandbox.service(PROJECT, "api").template.revision != entry.canary_revision
    assert entries(tmp_path)[0].state != State.CANARY_DEPLOYING
