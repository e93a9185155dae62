"""`drift rollback CHANGE --service NAME` (repeatable, a common option in SPEC "Commands"): a
change of several services is rolled back where nobody wrote since, without `--force` undoing
a teammate's hotfix on another; the journal records each service's state, and the rest stays
to roll back later. A name the change did not touch is a usage error naming what it did."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import Clients, ClientsFor, MakeSandbox
from tests.fix.conftest import (
    LAB,
    PROJECT,
    ScriptedUI,
    deploy_no_traffic,
    entries,
    fix,
    lab_name,
    pair_fix,
    rollback,
)
from tests.fix.test_rollback import HOTFIX_IMAGE, cli, hotfix


def test_a_change_of_several_services_is_rolled_back_where_nobody_wrote_since(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web", "api"])
    change = result.change_id
    assert change
    hotfix(clients)  # web only
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 4 and "web was changed since" in out, out
    assert f"`drift rollback {change} --service api` rolls back the rest" in out, out
    code, out = cli(sandbox, tmp_path, "rollback", change, "--service", "api", "--yes")
    assert code == 0 and f"rollback of {change}: restored api" in out, out
    assert {e.service: e.state for e in entries(tmp_path)} == {
        "api": State.ROLLED_BACK,
        "web": State.PROMOTED,
    }
    web = sandbox.service(PROJECT, "web").template.containers[0]
    assert web.image == HOTFIX_IMAGE  # the teammate's hotfix stays
    code, out = cli(sandbox, tmp_path, "rollback", "--list")
    assert code == 0 and " api " in out and "rolled-back" in out, out
    # the rest stays to roll back later: the plain rollback now takes web alone
    code, out = cli(sandbox, tmp_path, "rollback", "--yes", "--force")
    assert code == 0 and f"rollback of {change}: restored web" in out, out
    assert "api: skipped (already rolled back)" in out, out


def test_a_service_the_change_did_not_touch_is_a_usage_error(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    sandbox.clear_calls()
    code, out = cli(sandbox, tmp_path, "rollback", str(result.change_id), "-s", "web", "--yes")
    assert code == 2, out
    assert f"change {result.change_id} did not change 'web' (it changed: api)" in out, out
    code, out = cli(sandbox, tmp_path, "rollback", "--service", "auth", "--yes")
    assert code == 2 and "no change of 'auth' in the journal" in out, out
    assert not [c for c in sandbox.calls if c.short == "UpdateService"]


def test_a_deploy_between_the_yes_read_and_the_write_is_a_refusal(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`rollback --yes` writes from the read before the (skipped) prompt. A teammate's deploy
    to aaa after that read: Cloud Run refuses the write for its etag (ABORTED), nothing is
    written, and it is the refusal the read-again path says — not a failed restoration
    that leaves the entry `rollback-failed`."""
    import drift.fix.rollback_restore

    sandbox, change, _ = pair_fix(make_sandbox, tmp_path, monkeypatch)
    clients = clients_for(sandbox)
    real = drift.fix.rollback_restore.restore

    async def deployed_first(session: Any, journal: Any, entry: Any, **kw: Any) -> Any:
        if entry.service == "aaa":  # `gcloud run deploy --no-traffic` lands now
            await asyncio.to_thread(deploy_no_traffic, clients, lab_name("aaa"), HOTFIX_IMAGE)
        return await real(session, journal, entry, **kw)

    monkeypatch.setattr(drift.fix.rollback_restore, "restore", deployed_first)
    result = rollback(tmp_path, change_id=change)  # --yes
    summary = result.summary()
    assert result.exit_code is ExitCode.ABORTED, summary
    assert "aaa: refused (changed since): aaa was changed since" in summary, summary
    assert f"nothing was written to aaa (`drift rollback {change} --force`" in summary, summary
    assert "rollback-failed" not in summary, summary
    states = {e.service: e.state for e in entries(tmp_path)}
    assert states == {"aaa": State.PROMOTED, "bbb": State.ROLLED_BACK}, states
    assert sandbox.service(LAB, "aaa").template.containers[0].image == HOTFIX_IMAGE
