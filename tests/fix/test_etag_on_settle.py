"""A service's etag is "a system-generated fingerprint for this version of the resource"
(run v2 service.proto): whether the status a deploy settles into is part of that version is
not said. drift never takes an etag that moved with nobody's write for someone else's change:
a fix (canary, promotion) and its rollback go the same whether a settled deploy changes the
etag (sandbox option `etag_on_status`) or not (helper-535). The whole suite passed with
`changes` as the sandbox's default too (measured once, this session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("etag", ["stable", "changes"])
def test_a_fix_and_its_rollback_whether_a_settled_deploy_moves_the_etag(
    etag: str, make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = lab.lab_under(make_sandbox, etag_on_status=etag)
    before = sandbox.service(lab.LAB, "app")
    result = lab.lab_fix(
        tmp_path, sandbox, lab.ScriptedUI([True, True]), lab.FixOptions(), monkeypatch
    )
    assert result.exit_code is ExitCode.OK, result.summary()
    (outcome,) = result.outcomes
    fixed = sandbox.service(lab.LAB, "app")
    assert fixed.latest_ready_revision.endswith(f"/{outcome.canary}")
    undone = lab.rollback(tmp_path)
    said = undone.summary()
    assert undone.exit_code is ExitCode.OK, said
    assert "someone" not in said and "changed since" not in said, said
    after = sandbox.service(lab.LAB, "app")
    assert lab.spec(after) == lab.spec(before)


@pytest.mark.parametrize(("etag", "moves"), [("stable", False), ("changes", True)])
def test_the_option_decides_whether_settling_moves_the_etag(
    etag: str, moves: bool, make_sandbox: MakeSandbox
) -> None:
    sandbox = lab.lab_under(make_sandbox, etag_on_status=etag)
    sandbox.hold_deploys()
    sandbox.deploy(lab.LAB, "app", env={"MODE": "live"})
    reconciling = sandbox.service(lab.LAB, "app")
    assert reconciling.reconciling
    settled = sandbox.finish_deploy(lab.LAB, "app")
    assert (settled.etag != reconciling.etag) is moves
