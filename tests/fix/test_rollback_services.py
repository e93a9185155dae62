"""`drift rollback CHANGE --service NAME` (repeatable, a common option in SPEC "Commands"): a
change of several services is rolled back where nobody wrote since, without `--force` undoing
a teammate's hotfix on another; the journal records each service's state, and the rest stays
to roll back later. A name the change did not touch is a usage error naming what it did."""

from __future__ import annotations

from pathlib import Path

from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, entries, fix
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
